void
pv_dec_VkClearColorValue(struct pv_decoder *dec, VkClearColorValue *val)
{
   switch (pv_dec_u32(dec)) {
   case 0:
      pv_dec_fixed(dec, 4, "VkClearColorValue.float32");
      pv_dec_scalars(dec, val->float32, 4, sizeof(val->float32[0]));
      break;
   case 1:
      pv_dec_fixed(dec, 4, "VkClearColorValue.int32");
      pv_dec_scalars(dec, val->int32, 4, sizeof(val->int32[0]));
      break;
   case 2:
      pv_dec_fixed(dec, 4, "VkClearColorValue.uint32");
      pv_dec_scalars(dec, val->uint32, 4, sizeof(val->uint32[0]));
      break;
   default:
      pv_dec_fail(dec, "bad union tag in VkClearColorValue");
      break;
   }
}
