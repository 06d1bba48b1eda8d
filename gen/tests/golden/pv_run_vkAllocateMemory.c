static void
pv_run_vkAllocateMemory(struct pv_dispatch *d, uint32_t flags)
{
   struct pv_cmd_vkAllocateMemory args;
   memset(&args, 0, sizeof(args));
   pv_dec_args_vkAllocateMemory(d->dec, &args);
   if (!pv_dispatch_ok(d))
      return;
   (void)flags;
   pv_dispatch_unimplemented(d, "vkAllocateMemory", "golden: shows an unimplemented command");
}
