# SPDX-License-Identifier: MIT
"""Dispatch: the command table indexed by command type, the per-command
decode -> handle -> reply functions, generated pass-through handlers, and the
table of host Vulkan entry points with what provides each."""

from emit_common import Code, objtype
import registry

PASS_THROUGH_DENY_PREFIXES = ('vkCreate', 'vkDestroy', 'vkAllocate', 'vkFree')


def objtype_of(proto, ty):
    return objtype(proto, ty)


def load_manual(path):
    """gen/manual.txt: commands handled by hand, commands not implemented yet,
    host entry points the renderer calls outside the protocol, pass-through
    commands whose arguments a hand-written check sees first, and generated
    creates whose objects keep what hand-written code notes of them."""
    manual, todo, host, check, keep = {}, {}, [], {}, {}
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            words = line.split(None, 2)
            if words[0] == 'todo':
                todo[words[1]] = words[2] if len(words) > 2 else ''
            elif words[0] == 'host':
                host.append(words[1])
            elif words[0] == 'check':
                check[words[1]] = words[2] if len(words) > 2 else ''
            elif words[0] == 'keep':
                keep[words[1]] = words[2] if len(words) > 2 else ''
            else:
                manual[words[0]] = words[1] if len(words) > 1 else ''
    return manual, todo, host, check, keep


def command_level(reg, cmd):
    """0 global, 1 instance, 2 physical device, 3 device."""
    if not cmd.params:
        return 0
    if cmd.name == 'vkGetDeviceProcAddr':
        return 1                  # loaded from the instance to load devices
    first = reg.resolve(cmd.params[0].type_name)
    if first is None or first.category != 'handle' or cmd.params[0].pointer_depth:
        return 0
    if first.name == 'VkInstance':
        return 0 if cmd.name in ('vkCreateInstance',) else 1
    if first.name == 'VkPhysicalDevice':
        return 2
    return 3


class Dispatch:
    def __init__(self, proto, manual, todo, host, check=None, keep=None):
        self.proto = proto
        self.reg = proto.reg
        self.check = check or {}
        self.keep = keep or {}
        self.manual = manual
        self.todo = todo
        self.host = host
        self.kind = {}            # command name -> 'manual', 'pass', 'create', ...
        self.free_emitted = set()
        self.reasons = {}
        for cmd in proto.commands:
            if cmd.name in manual:
                self.kind[cmd.name] = 'manual'
            elif cmd.name in todo:
                self.kind[cmd.name] = 'todo'
                self.reasons[cmd.name] = todo[cmd.name]
            elif self.generic_create(cmd):
                self.kind[cmd.name] = 'create'
            elif self.generic_destroy(cmd):
                self.kind[cmd.name] = 'destroy'
            else:
                why = self._pass_problem(cmd)
                if why:
                    self.kind[cmd.name] = 'todo'
                    self.reasons[cmd.name] = why
                else:
                    self.kind[cmd.name] = 'pass'
        for name in list(manual) + list(todo):
            cmd = self.reg.resolve_command(name)
            if cmd is None or cmd not in proto.commands:
                # a manual entry for a command this vk.xml lacks is harmless,
                # but one for a known command the protocol dropped is a bug
                if cmd is not None and name in manual:
                    raise SystemExit('gen/manual.txt: %s is not a supported command' % name)
        for name in self.check:
            if self.kind.get(name) not in ('pass', 'create'):
                raise SystemExit('gen/manual.txt: check %s: neither a pass-through nor a '
                                 'generated create' % name)
        for name in self.keep:
            if self.kind.get(name) != 'create':
                raise SystemExit('gen/manual.txt: keep %s: not a generated create' % name)

    def generic_create(self, cmd):
        """vkCreateX(VkDevice, const VkXCreateInfo *, allocator, VkX *): the
        created handle's type, or None."""
        if not cmd.name.startswith('vkCreate') or cmd.ret != 'VkResult':
            return None
        w = self.proto.wires(cmd)
        if len(w) != 4 or w[0].elem != 'handle' or w[0].base.name != 'VkDevice':
            return None
        if w[1].kind != 'ptr' or w[1].elem != 'struct' or w[1].direction != 'in':
            return None
        if w[2].kind != 'null' or w[3].kind != 'ptr' or w[3].elem != 'handle' or \
                w[3].direction != 'out':
            return None
        return w[3].base

    def generic_destroy(self, cmd):
        """vkDestroyX(VkDevice, VkX, allocator): the destroyed type, or None."""
        if not cmd.name.startswith('vkDestroy') or cmd.ret:
            return None
        w = self.proto.wires(cmd)
        if len(w) != 3 or w[0].elem != 'handle' or w[0].base.name != 'VkDevice':
            return None
        if w[1].kind != 'value' or w[1].elem != 'handle' or w[2].kind != 'null':
            return None
        return w[1].base

    def _pass_problem(self, cmd):
        if cmd.name.startswith(PASS_THROUGH_DENY_PREFIXES):
            return 'creates or destroys objects'
        wires = self.proto.wires(cmd)
        if not wires or wires[0].elem != 'handle' or not wires[0].base.dispatchable \
                or wires[0].kind != 'value':
            return 'no dispatchable first parameter'
        for w in wires:
            if w.direction in ('out', 'inout') and w.elem == 'handle':
                return 'returns handles'
            if w.direction in ('out', 'inout') and w.elem == 'struct' and \
                    self.proto.contains_handles(w.base):
                return 'returns structs holding handles'
        return None

    # -- header parts ----------------------------------------------------------

    def args_struct(self, c, cmd):
        c('struct pv_cmd_%s {' % cmd.name)
        c.indent()
        for w in self.proto.wires(cmd):
            c('%s;' % self.param_decl(w))
        if cmd.ret:
            c('%s ret;' % cmd.ret)
        if not self.proto.wires(cmd) and not cmd.ret:
            c('char unused;')
        c.dedent()
        c('};')
        c()

    def param_decl(self, w):
        m = w.member
        if w.kind == 'value' and w.elem == 'handle' and w.direction == 'in':
            return 'struct pv_object *%s' % m.name
        if m.pointer_depth == 0:
            if m.dims:
                return '%s %s[%s]' % (m.type_name, m.name, m.dims[0])
            return '%s %s' % (m.type_name, m.name)
        if m.pointer_depth == 2:
            return 'const char *const *%s' % m.name
        return '%s%s *%s' % ('const ' if m.const else '', m.type_name, m.name)

    def handler_prototypes(self, c):
        for cmd in self.proto.commands:
            if self.kind[cmd.name] == 'manual':
                c('void pv_handle_%s(struct pv_dispatch *d, struct pv_cmd_%s *args);' %
                  (cmd.name, cmd.name))
            if cmd.name in self.check:
                c('bool pv_check_%s(struct pv_dispatch *d, const struct pv_cmd_%s *args);' %
                  (cmd.name, cmd.name))
            if cmd.name in self.keep:
                c('extern const size_t pv_keep_size_%s;' % cmd.name)
                c('void pv_keep_%s(struct pv_object *obj, const struct pv_cmd_%s *args);' %
                  (cmd.name, cmd.name))

    # -- the command table -----------------------------------------------------

    def run_functions(self, c, has_replace):
        for cmd in self.proto.commands:
            kind = self.kind[cmd.name]
            name = cmd.name
            if kind == 'pass':
                self._pass_through(c, cmd, has_replace.get(name, False))
                handler = 'pv_pass_%s' % name
            elif kind == 'create':
                self._create(c, cmd, has_replace.get(name, False))
                handler = 'pv_create_%s' % name
            elif kind == 'destroy':
                self._destroy(c, cmd)
                handler = 'pv_destroy_%s' % name
            elif kind == 'manual':
                handler = 'pv_handle_%s' % name
            else:
                handler = None
            c('static void')
            c('pv_run_%s(struct pv_dispatch *d, uint32_t flags)' % name)
            c('{')
            c.indent()
            c('struct pv_cmd_%s args;' % name)
            c('memset(&args, 0, sizeof(args));')
            c('pv_dec_args_%s(d->dec, &args);' % name)
            c('if (!pv_dispatch_ok(d))')
            c('   return;')
            if handler is None:
                c('(void)flags;')
                c('pv_dispatch_unimplemented(d, "%s", "%s");' %
                  (name, self.reasons.get(name, '').replace('"', "'")))
            else:
                c('%s(d, &args);' % handler)
                vkresult = cmd.ret == 'VkResult'
                if vkresult:
                    # test builds only: the host device lost in this command
                    c('#if PV_FAULT_HOOKS')
                    c('if (__builtin_expect(d->inject_lost, 0))')
                    c('   args.ret = VK_ERROR_DEVICE_LOST;')
                    c('#endif')
                c('if ((flags & PV_COMMAND_GENERATE_REPLY) && pv_dispatch_ok(d) && '
                  'pv_dispatch_begin_reply(d))')
                c('   pv_enc_reply_%s(&d->enc, &args);' % name)
                if vkresult:
                    # the reply goes out first; then the context ends
                    # (unless the loss is the renderer's answer to a guest
                    # that went away during a wait)
                    c('if (args.ret == VK_ERROR_DEVICE_LOST && !pv_dispatch_stopping(d))')
                    c('   d->device_lost = true;')
            c.dedent()
            c('}')
            c()

    def _pass_through(self, c, cmd, has_replace):
        name = cmd.name
        wires = self.proto.wires(cmd)
        first = wires[0]
        c('static void')
        c('pv_pass_%s(struct pv_dispatch *d, struct pv_cmd_%s *args)' % (name, name))
        c('{')
        c.indent()
        c('const struct pv_object *obj = args->%s;' % first.name)
        c('const PFN_%s fn = obj->vk->%s;' % (name, name[2:]))
        c('if (!fn) {')
        c('   pv_dispatch_missing(d, "%s");' % name)
        c('   return;')
        c('}')
        if name in self.check:
            c('if (!pv_check_%s(d, args))' % name)
            c('   return;')
        if has_replace:
            c('pv_rep_args_%s(args);' % name)
        call_args = []
        for w in wires:
            if w.kind == 'value' and w.elem == 'handle' and w.direction == 'in':
                call_args.append('(%s)(uintptr_t)pv_obj_host(args->%s)' % (w.base.name, w.name))
            else:
                call_args.append('args->%s' % w.name)
        call = 'fn(%s)' % ', '.join(call_args)
        c('%s%s;' % ('args->ret = ' if cmd.ret else '', call))
        c.dedent()
        c('}')
        c()

    def _create(self, c, cmd, has_replace):
        """A generated create handler and the destroy function of its objects."""
        name = cmd.name
        ty = self.generic_create(cmd)
        w = self.proto.wires(cmd)
        destroy = self._destroy_command(ty)
        if ty.name in self.free_emitted:
            destroy_done = True
        else:
            destroy_done = False
            self.free_emitted.add(ty.name)
        if not destroy_done:
            self._free_function(c, ty, destroy)
        self._create_body(c, cmd, ty, destroy, w, has_replace)

    def _free_function(self, c, ty, destroy):
        c('static void')
        c('pv_free_%s(struct pv_object *obj)' % ty.name)
        c('{')
        if destroy:
            c('   const PFN_%s fn = obj->vk->%s;' % (destroy.name, destroy.name[2:]))
            c('   if (fn)')
            c('      fn((VkDevice)(uintptr_t)obj->parent->handle, (%s)(uintptr_t)obj->handle, '
              'NULL);' % ty.name)
        c('   pv_object_free(obj);')
        c('}')
        c()

    def _create_body(self, c, cmd, ty, destroy, w, has_replace):
        name = cmd.name
        c('static void')
        c('pv_create_%s(struct pv_dispatch *d, struct pv_cmd_%s *args)' % (name, name))
        c('{')
        c.indent()
        c('struct pv_object *dev = args->%s;' % w[0].name)
        c('const PFN_%s fn = dev->vk->%s;' % (name, name[2:]))
        c('if (!fn) {')
        c('   pv_dispatch_missing(d, "%s");' % name)
        c('   return;')
        c('}')
        if name in self.check:
            c('if (!pv_check_%s(d, args))' % name)
            c('   return;')
        # a kept create's object is the hand-written struct that begins with it
        size = 'pv_keep_size_%s' % name if name in self.keep else 'sizeof(*obj)'
        c('struct pv_object *obj = pv_vk_object_alloc(d, %s, %s, '
          'pv_handle_id(*args->%s), &args->ret);' % (size, objtype_of(self.proto, ty),
                                                      w[3].name))
        c('if (!obj)')
        c('   return;')
        if has_replace:
            c('pv_rep_args_%s(args);' % name)
        c('%s handle = VK_NULL_HANDLE;' % ty.name)
        c('args->ret = fn((VkDevice)(uintptr_t)dev->handle, args->%s, NULL, &handle);' %
          w[1].name)
        c('if (args->ret != VK_SUCCESS) {')
        c('   pv_object_free(obj);')
        c('   return;')
        c('}')
        c('obj->handle = (uint64_t)(uintptr_t)handle;')
        c('obj->vk = dev->vk;')
        c('obj->destroy = pv_free_%s;' % ty.name)
        if name in self.keep:
            c('pv_keep_%s(obj, args);' % name)
        c('if (!pv_vk_object_adopt(d, obj, dev)) {')
        if destroy:
            c('   if (dev->vk->%s)' % destroy.name[2:])
            c('      dev->vk->%s((VkDevice)(uintptr_t)dev->handle, handle, NULL);' %
              destroy.name[2:])
        c('   pv_object_free(obj);')
        c('}')
        c.dedent()
        c('}')
        c()

    def _destroy_command(self, ty):
        for cmd in self.proto.commands:
            if self.generic_destroy(cmd) is ty:
                return cmd
        return None

    def _destroy(self, c, cmd):
        name = cmd.name
        w = self.proto.wires(cmd)
        c('static void')
        c('pv_destroy_%s(struct pv_dispatch *d, struct pv_cmd_%s *args)' % (name, name))
        c('{')
        c('   if (args->%s)' % w[1].name)
        c('      pv_object_table_destroy(&d->ctx->objects, args->%s);' % w[1].name)
        c('}')
        c()

    def table(self, c, count):
        by_id = {self.proto.command_ids[cmd.name]: cmd for cmd in self.proto.commands}
        c('const struct pv_command_desc pv_commands[PV_COMMAND_TYPE_COUNT] = {')
        c.indent()
        for cid in range(count):
            name = self.proto.id_names.get(cid)
            if name is None:
                continue
            cmd = by_id.get(cid)
            if cmd is not None:
                c('[%d] = { "%s", pv_run_%s },' % (cid, cmd.name, cmd.name))
            else:
                c('[%d] = { "%s", NULL },' % (cid, name))
        c.dedent()
        c('};')

    # -- host entry points -------------------------------------------------------

    def host_commands(self):
        """Every host entry point the renderer may call, canonical names."""
        out = []
        for cmd in self.proto.commands:
            if not cmd.name.endswith('MESA'):
                out.append(cmd)
        for name in self.host:
            cmd = self.reg.resolve_command(name)
            if cmd is not None and cmd not in out:
                out.append(cmd)
        return out

    def providers(self, cmd):
        core = None
        for f in self.reg.features:
            for req in f.requires:
                if any(self.reg.resolve_command(n) is cmd for n in req.commands):
                    if core is None or f.number < core:
                        core = f.number
        exts = []
        for ext in self.reg.extensions.values():
            if registry.API not in ext.supported:
                continue
            for req in ext.requires:
                if any(self.reg.resolve_command(n) is cmd for n in req.commands):
                    exts.append(ext.name)
                    break
        return core, sorted(set(exts))

    def vk_table_struct(self, c):
        c('/* Host entry points, loaded per instance and per device. */')
        c('struct pv_vk_table {')
        c.indent()
        for cmd in self.host_commands():
            c('PFN_%s %s;' % (cmd.name, cmd.name[2:]))
        c.dedent()
        c('};')

    def vk_table_entries(self, c):
        cmds = self.host_commands()
        c('const struct pv_vk_entry pv_vk_entries[] = {')
        c.indent()
        for cmd in cmds:
            core, exts = self.providers(cmd)
            aliases = [a for a in sorted(cmd.aliases) if a != cmd.name]
            core_v = 'VK_MAKE_API_VERSION(0, %d, %d, 0)' % core if core else '0'
            c('{ "%s", "%s", %d, %s, "%s", offsetof(struct pv_vk_table, %s) },' %
              (cmd.name, ' '.join(aliases), command_level(self.reg, cmd), core_v,
               ' '.join(exts), cmd.name[2:]))
        c.dedent()
        c('};')
        c('const uint32_t pv_vk_entry_count = %d;' % len(cmds))
