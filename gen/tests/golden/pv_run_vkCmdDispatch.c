static void
pv_run_vkCmdDispatch(struct pv_dispatch *d, uint32_t flags)
{
   struct pv_cmd_vkCmdDispatch args;
   memset(&args, 0, sizeof(args));
   pv_dec_args_vkCmdDispatch(d->dec, &args);
   if (!pv_dispatch_ok(d))
      return;
   pv_pass_vkCmdDispatch(d, &args);
   if ((flags & PV_COMMAND_GENERATE_REPLY) && pv_dispatch_ok(d) && pv_dispatch_begin_reply(d))
      pv_enc_reply_vkCmdDispatch(&d->enc, &args);
}
