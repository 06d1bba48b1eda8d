/* SPDX-License-Identifier: MIT */
/* What a validated SPIR-V module's entry points use: the descriptors each
 * entry point statically uses, so that a pipeline's layout can be checked
 * against them before a driver compiles the shader (pv_layout.c).  Drivers
 * look up every descriptor a shader uses in the pipeline layout without
 * checking it is there: lavapipe read past a layout of one set for a
 * shader's DescriptorSet 16777216 (found by fuzz-session-host).
 *
 * "Statically used" is Vulkan's rule: an instruction in a function of the
 * entry point's call tree names the variable.  Variables a module declares
 * but the entry point never names need no binding in the layout, and valid
 * programs have them (one module, several entry points; code generators'
 * unused declarations), so the call tree is followed rather than taking
 * every declared variable.  SPIRV-Tools' parser says which operands are
 * ids (pv_spirv_parse), so a literal that happens to equal a variable's id
 * is not a use.
 */
#include "pv_spirv.h"

#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan_core.h>

enum {
   OP_ENTRY_POINT = 15,
   OP_TYPE_IMAGE = 25,
   OP_TYPE_SAMPLER = 26,
   OP_TYPE_SAMPLED_IMAGE = 27,
   OP_TYPE_ARRAY = 28,
   OP_TYPE_RUNTIME_ARRAY = 29,
   OP_TYPE_STRUCT = 30,
   OP_TYPE_POINTER = 32,
   OP_FUNCTION = 54,
   OP_FUNCTION_END = 56,
   OP_FUNCTION_CALL = 57,
   OP_VARIABLE = 59,
   OP_DECORATE = 71,
   OP_TYPE_ACCELERATION_STRUCTURE = 5341,
};

enum {
   DECORATION_BLOCK = 2,
   DECORATION_BUFFER_BLOCK = 3,
   DECORATION_BINDING = 33,
   DECORATION_DESCRIPTOR_SET = 34,
};

enum {
   STORAGE_UNIFORM_CONSTANT = 0,
   STORAGE_UNIFORM = 2,
   STORAGE_STORAGE_BUFFER = 12,
};

enum { DIM_BUFFER = 5, DIM_SUBPASS_DATA = 6 };

/* A fact about an id: its type, or one of its decorations.  Kept in one
 * array, sorted by id and fact once the module is read. */
enum fact_kind {
   FACT_POINTER,        /* a = storage class, b = pointee type */
   FACT_ARRAY,          /* a = element type */
   FACT_IMAGE,          /* a = Dim, b = Sampled */
   FACT_SAMPLER,
   FACT_SAMPLED_IMAGE,  /* a = image type */
   FACT_ACCELERATION_STRUCTURE,
   FACT_STRUCT,
   FACT_VARIABLE,       /* a = storage class, b = pointer type */
   FACT_SET,            /* a = DescriptorSet */
   FACT_BINDING,        /* a = Binding */
   FACT_BLOCK,
   FACT_BUFFER_BLOCK,
};

struct fact {
   uint32_t id;
   uint32_t kind;
   uint32_t a, b;
};

/* A function naming a resource variable, or calling another function. */
struct edge {
   uint32_t from;
   uint32_t to;
};

struct growable {
   void *items;
   size_t count, capacity;
};

/* What is kept of a module: sorted once it is read, then only looked up
 * (pipelines of several threads may name the same module). */
struct pv_spirv_module {
   struct growable facts;     /* struct fact, by id and kind */
   struct growable resources; /* uint32_t: resource variable ids (while reading) */
   struct growable uses;      /* struct edge: function -> resource variable */
   struct growable calls;     /* struct edge: caller -> callee */
   struct growable functions; /* uint32_t: function ids */
   struct growable entries;   /* struct pv_spirv_entry */
   bool resources_sorted;
   uint32_t function;         /* while reading: the function being read, 0 outside */
   bool out_of_memory;
};

/* the module doubles as the reader's state */
#define reflect pv_spirv_module

static void *
grow(struct reflect *r, struct growable *g, size_t item_size)
{
   if (g->count == g->capacity) {
      const size_t capacity = g->capacity ? g->capacity * 2 : 16;
      void *bigger = realloc(g->items, capacity * item_size);
      if (!bigger) {
         r->out_of_memory = true;
         return NULL;
      }
      g->items = bigger;
      g->capacity = capacity;
   }
   return (char *)g->items + g->count++ * item_size;
}

static void
add_fact(struct reflect *r, uint32_t id, enum fact_kind kind, uint32_t a, uint32_t b)
{
   struct fact *f = grow(r, &r->facts, sizeof(*f));
   if (f)
      *f = (struct fact){ id, kind, a, b };
}

static void
add_edge(struct reflect *r, struct growable *g, uint32_t from, uint32_t to)
{
   struct edge *e = grow(r, g, sizeof(*e));
   if (e)
      *e = (struct edge){ from, to };
}

static int
compare_u32(const void *a, const void *b)
{
   const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
   return (x > y) - (x < y);
}

static int
compare_fact(const void *a, const void *b)
{
   const struct fact *x = a, *y = b;
   if (x->id != y->id)
      return (x->id > y->id) - (x->id < y->id);
   return (x->kind > y->kind) - (x->kind < y->kind);
}

static int
compare_edge(const void *a, const void *b)
{
   const struct edge *x = a, *y = b;
   if (x->from != y->from)
      return (x->from > y->from) - (x->from < y->from);
   return (x->to > y->to) - (x->to < y->to);
}

/* qsort and bsearch over a growable, which may be empty (and then NULL,
 * which the C library may not be given). */
static void
sort_all(struct growable *g, size_t size, int (*compare)(const void *, const void *))
{
   if (g->count)
      qsort(g->items, g->count, size, compare);
}

static void *
find_in(const struct growable *g, const void *key, size_t size,
        int (*compare)(const void *, const void *))
{
   return g->count ? bsearch(key, g->items, g->count, size, compare) : NULL;
}

static bool
is_resource(struct reflect *r, uint32_t id)
{
   if (!r->resources_sorted) {
      sort_all(&r->resources, sizeof(uint32_t), compare_u32);
      r->resources_sorted = true;
   }
   return find_in(&r->resources, &id, sizeof(uint32_t), compare_u32);
}

static uint32_t
word(const struct pv_spirv_instruction *inst, uint32_t at)
{
   return at < inst->word_count ? inst->words[at] : 0;
}

static void
read_entry_point(struct reflect *r, const struct pv_spirv_instruction *inst)
{
   /* OpEntryPoint model function "name" interface... */
   if (inst->word_count < 4)
      return;
   const char *chars = (const char *)&inst->words[3];
   const size_t max = (size_t)(inst->word_count - 3) * 4;
   const size_t length = strnlen(chars, max);
   if (length == max)
      return;
   struct pv_spirv_entry *e = grow(r, &r->entries, sizeof(*e));
   if (!e)
      return;
   *e = (struct pv_spirv_entry){ .model = word(inst, 1), .function = word(inst, 2) };
   e->name = strndup(chars, length);
   if (!e->name) {
      r->entries.count--;
      r->out_of_memory = true;
   }
}

static bool
read_instruction(void *user, const struct pv_spirv_instruction *inst)
{
   struct reflect *r = user;
   const uint32_t result = inst->result_id;
   switch (inst->opcode) {
   case OP_ENTRY_POINT: read_entry_point(r, inst); break;
   case OP_TYPE_IMAGE: add_fact(r, result, FACT_IMAGE, word(inst, 3), word(inst, 7)); break;
   case OP_TYPE_SAMPLER: add_fact(r, result, FACT_SAMPLER, 0, 0); break;
   case OP_TYPE_SAMPLED_IMAGE: add_fact(r, result, FACT_SAMPLED_IMAGE, word(inst, 2), 0); break;
   case OP_TYPE_ARRAY:
   case OP_TYPE_RUNTIME_ARRAY: add_fact(r, result, FACT_ARRAY, word(inst, 2), 0); break;
   case OP_TYPE_STRUCT: add_fact(r, result, FACT_STRUCT, 0, 0); break;
   case OP_TYPE_POINTER: add_fact(r, result, FACT_POINTER, word(inst, 2), word(inst, 3)); break;
   case OP_TYPE_ACCELERATION_STRUCTURE:
      add_fact(r, result, FACT_ACCELERATION_STRUCTURE, 0, 0);
      break;
   case OP_DECORATE:
      switch (word(inst, 2)) {
      case DECORATION_DESCRIPTOR_SET: add_fact(r, word(inst, 1), FACT_SET, word(inst, 3), 0); break;
      case DECORATION_BINDING: add_fact(r, word(inst, 1), FACT_BINDING, word(inst, 3), 0); break;
      case DECORATION_BLOCK: add_fact(r, word(inst, 1), FACT_BLOCK, 0, 0); break;
      case DECORATION_BUFFER_BLOCK: add_fact(r, word(inst, 1), FACT_BUFFER_BLOCK, 0, 0); break;
      }
      break;
   case OP_VARIABLE: {
      /* OpVariable type result storage-class */
      const uint32_t storage = word(inst, 3);
      if (r->function)
         break;
      add_fact(r, result, FACT_VARIABLE, storage, inst->type_id);
      if (storage == STORAGE_UNIFORM_CONSTANT || storage == STORAGE_UNIFORM ||
          storage == STORAGE_STORAGE_BUFFER) {
         uint32_t *id = grow(r, &r->resources, sizeof(*id));
         if (id)
            *id = result;
         r->resources_sorted = false;
      }
      break;
   }
   case OP_FUNCTION: {
      r->function = result;
      uint32_t *id = grow(r, &r->functions, sizeof(*id));
      if (id)
         *id = result;
      break;
   }
   case OP_FUNCTION_END: r->function = 0; break;
   default: break;
   }
   if (r->function && inst->opcode != OP_FUNCTION) {
      if (inst->opcode == OP_FUNCTION_CALL)
         add_edge(r, &r->calls, r->function, word(inst, 3));
      for (uint32_t i = 0; i < inst->id_count; i++) {
         const uint32_t id = inst->words[inst->id_offsets[i]];
         if (is_resource(r, id))
            add_edge(r, &r->uses, r->function, id);
      }
   }
   return !r->out_of_memory;
}

static const struct fact *
find_fact(const struct reflect *r, uint32_t id, enum fact_kind kind)
{
   const struct fact key = { .id = id, .kind = kind };
   return find_in(&r->facts, &key, sizeof(key), compare_fact);
}

/* The type facts of an id, whichever kind it is. */
static const struct fact *
find_type(const struct reflect *r, uint32_t id)
{
   static const enum fact_kind types[] = {
      FACT_POINTER, FACT_ARRAY,  FACT_IMAGE, FACT_SAMPLER, FACT_SAMPLED_IMAGE,
      FACT_ACCELERATION_STRUCTURE, FACT_STRUCT,
   };
   for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
      const struct fact *f = find_fact(r, id, types[i]);
      if (f)
         return f;
   }
   return NULL;
}

static enum pv_spirv_resource_kind
image_kind(uint32_t dim, uint32_t sampled)
{
   if (dim == DIM_SUBPASS_DATA)
      return PV_SPIRV_RESOURCE_INPUT_ATTACHMENT;
   if (sampled == 1)
      return dim == DIM_BUFFER ? PV_SPIRV_RESOURCE_UNIFORM_TEXEL_BUFFER : PV_SPIRV_RESOURCE_IMAGE;
   if (sampled == 2)
      return dim == DIM_BUFFER ? PV_SPIRV_RESOURCE_STORAGE_TEXEL_BUFFER
                               : PV_SPIRV_RESOURCE_STORAGE_IMAGE;
   return PV_SPIRV_RESOURCE_ANY;
}

static enum pv_spirv_resource_kind
resource_kind(const struct reflect *r, const struct fact *variable)
{
   if (variable->a == STORAGE_STORAGE_BUFFER)
      return PV_SPIRV_RESOURCE_STORAGE_BUFFER;
   const struct fact *pointer = find_fact(r, variable->b, FACT_POINTER);
   const struct fact *type = pointer ? find_type(r, pointer->b) : NULL;
   /* arrays of descriptors; the validator allows no cycles, the bound is
    * for modules that get here some other way */
   for (int depth = 0; type && type->kind == FACT_ARRAY && depth < 16; depth++)
      type = find_type(r, type->a);
   if (!type)
      return PV_SPIRV_RESOURCE_ANY;
   switch (type->kind) {
   case FACT_STRUCT:
      if (variable->a != STORAGE_UNIFORM)
         return PV_SPIRV_RESOURCE_ANY;
      if (find_fact(r, type->id, FACT_BUFFER_BLOCK))
         return PV_SPIRV_RESOURCE_STORAGE_BUFFER;
      return find_fact(r, type->id, FACT_BLOCK) ? PV_SPIRV_RESOURCE_UNIFORM_BUFFER
                                                : PV_SPIRV_RESOURCE_ANY;
   case FACT_IMAGE: return image_kind(type->a, type->b);
   case FACT_SAMPLER: return PV_SPIRV_RESOURCE_SAMPLER;
   case FACT_SAMPLED_IMAGE: {
      const struct fact *image = find_fact(r, type->a, FACT_IMAGE);
      /* GLSL's samplerBuffer: a uniform texel buffer */
      return image && image->a == DIM_BUFFER ? PV_SPIRV_RESOURCE_UNIFORM_TEXEL_BUFFER
                                             : PV_SPIRV_RESOURCE_SAMPLED_IMAGE;
   }
   case FACT_ACCELERATION_STRUCTURE: return PV_SPIRV_RESOURCE_ACCELERATION_STRUCTURE;
   default: return PV_SPIRV_RESOURCE_ANY;
   }
}

static int
compare_resource(const void *a, const void *b)
{
   const struct pv_spirv_resource *x = a, *y = b;
   if (x->set != y->set)
      return (x->set > y->set) - (x->set < y->set);
   if (x->binding != y->binding)
      return (x->binding > y->binding) - (x->binding < y->binding);
   return (x->kind > y->kind) - (x->kind < y->kind);
}

/* The edges leaving `from`, in the sorted `g`. */
static const struct edge *
edges_from(const struct growable *g, uint32_t from, size_t *n)
{
   const struct edge *e = g->items;
   if (!g->count) {
      *n = 0;
      return e;
   }
   size_t lo = 0, hi = g->count;
   while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (e[mid].from < from)
         lo = mid + 1;
      else
         hi = mid;
   }
   size_t end = lo;
   while (end < g->count && e[end].from == from)
      end++;
   *n = end - lo;
   return e + lo;
}

/* Sorts `g` of `size`-byte items and drops repeated ones. */
static void
sort_unique(struct growable *g, size_t size, int (*compare)(const void *, const void *))
{
   if (!g->count)
      return;
   qsort(g->items, g->count, size, compare);
   size_t kept = 1;
   char *items = g->items;
   for (size_t i = 1; i < g->count; i++) {
      if (compare(items + (kept - 1) * size, items + i * size))
         memmove(items + kept++ * size, items + i * size, size);
   }
   g->count = kept;
}

bool
pv_spirv_entry_resources(const struct pv_spirv_module *m, const struct pv_spirv_entry *entry,
                         struct pv_spirv_resource **resources, uint32_t *count)
{
   *resources = NULL;
   *count = 0;
   /* a stack of functions to visit, and a mark per function (by its index
    * in the sorted function ids): each is visited once, however many call
    * it, so the work is linear in the module */
   struct reflect scratch = { 0 };
   struct growable stack = { 0 }, found = { 0 };
   const uint32_t *functions = m->functions.items;
   bool *visited = calloc(m->functions.count ? m->functions.count : 1, sizeof(*visited));
   uint32_t *top = visited ? grow(&scratch, &stack, sizeof(uint32_t)) : NULL;
   if (top)
      *top = entry->function;
   while (top && !scratch.out_of_memory && stack.count) {
      const uint32_t f = ((const uint32_t *)stack.items)[--stack.count];
      const uint32_t *at = find_in(&m->functions, &f, sizeof(uint32_t), compare_u32);
      if (!at || visited[at - functions])
         continue;
      visited[at - functions] = true;
      size_t n;
      const struct edge *use = edges_from(&m->uses, f, &n);
      for (size_t i = 0; i < n; i++) {
         const struct fact *variable = find_fact(m, use[i].to, FACT_VARIABLE);
         const struct fact *set = find_fact(m, use[i].to, FACT_SET);
         const struct fact *binding = find_fact(m, use[i].to, FACT_BINDING);
         /* the validator wants both on a Vulkan resource variable */
         if (!variable || !set || !binding)
            continue;
         struct pv_spirv_resource *res = grow(&scratch, &found, sizeof(*res));
         if (res)
            *res = (struct pv_spirv_resource){ set->a, binding->a, resource_kind(m, variable) };
      }
      const struct edge *call = edges_from(&m->calls, f, &n);
      for (size_t i = 0; i < n; i++) {
         uint32_t *next = grow(&scratch, &stack, sizeof(uint32_t));
         if (next)
            *next = call[i].to;
      }
   }
   const bool ok = top && !scratch.out_of_memory;
   free(stack.items);
   free(visited);
   if (!ok) {
      free(found.items);
      return false;
   }
   sort_unique(&found, sizeof(struct pv_spirv_resource), compare_resource);
   *resources = found.items;
   *count = (uint32_t)found.count;
   return true;
}

void
pv_spirv_module_free(struct pv_spirv_module *m)
{
   if (!m)
      return;
   struct pv_spirv_entry *entries = m->entries.items;
   for (size_t i = 0; i < m->entries.count; i++)
      free(entries[i].name);
   free(m->entries.items);
   free(m->facts.items);
   free(m->resources.items);
   free(m->uses.items);
   free(m->calls.items);
   free(m->functions.items);
   free(m);
}

struct pv_spirv_module *
pv_spirv_reflect(struct pv_spirv_checker *checker, const void *code, size_t size)
{
   struct pv_spirv_module *m = calloc(1, sizeof(*m));
   if (!m)
      return NULL;
   /* the code passed validation, so the parser reads it to the end */
   if (!pv_spirv_parse(checker, code, size / 4, m, read_instruction) || m->out_of_memory) {
      pv_spirv_module_free(m);
      return NULL;
   }
   sort_all(&m->facts, sizeof(struct fact), compare_fact);
   sort_unique(&m->uses, sizeof(struct edge), compare_edge);
   sort_unique(&m->calls, sizeof(struct edge), compare_edge);
   sort_all(&m->functions, sizeof(uint32_t), compare_u32);
   /* only the reader needs the variable ids */
   free(m->resources.items);
   m->resources = (struct growable){ 0 };
   return m;
}

/* The execution model of a stage, UINT32_MAX where the name alone is
 * matched (mesh stages have an NV and an EXT model, ray tracing several). */
static uint32_t
model_of_stage(uint32_t stage)
{
   switch (stage) {
   case VK_SHADER_STAGE_VERTEX_BIT: return 0;
   case VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT: return 1;
   case VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT: return 2;
   case VK_SHADER_STAGE_GEOMETRY_BIT: return 3;
   case VK_SHADER_STAGE_FRAGMENT_BIT: return 4;
   case VK_SHADER_STAGE_COMPUTE_BIT: return 5;
   default: return UINT32_MAX;
   }
}

const struct pv_spirv_entry *
pv_spirv_find_entry(const struct pv_spirv_module *m, uint32_t stage, const char *name)
{
   const uint32_t model = model_of_stage(stage);
   const struct pv_spirv_entry *entries = m->entries.items;
   for (size_t i = 0; i < m->entries.count; i++) {
      if ((model == UINT32_MAX || entries[i].model == model) && !strcmp(entries[i].name, name))
         return &entries[i];
   }
   return NULL;
}
