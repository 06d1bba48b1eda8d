/* SPDX-License-Identifier: MIT */
#include "pv_encoder.h"

#include <stdarg.h>
#include <stdio.h>

void
pv_enc_fail(struct pv_encoder *enc, const char *fmt, ...)
{
   char msg[200];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(msg, sizeof(msg), fmt, ap);
   va_end(ap);
   pv_fatal_set(enc->fatal, "reply: %s", msg);
   enc->pos = enc->size; /* later writes fail too */
}

void
pv_enc_scalars(struct pv_encoder *enc, const void *src, uint64_t count, size_t size)
{
   const uint64_t bytes = count * size;
   if (size && bytes / size != count) {
      pv_enc_fail(enc, "array size overflows");
      return;
   }
   const uint64_t padded = (bytes + 3) & ~UINT64_C(3);
   if (!enc->base || padded > enc->size - enc->pos) {
      pv_enc_fail(enc, "array of %llu bytes overflows the reply stream",
                  (unsigned long long)padded);
      return;
   }
   memcpy(enc->base + enc->pos, src, (size_t)bytes);
   memset(enc->base + enc->pos + bytes, 0, (size_t)(padded - bytes));
   enc->pos += (size_t)padded;
}

void
pv_enc_chars(struct pv_encoder *enc, const char *src, size_t size)
{
   pv_enc_u64(enc, size);
   pv_enc_scalars(enc, src, size, 1);
}

void
pv_enc_string(struct pv_encoder *enc, const char *str)
{
   if (!str) {
      pv_enc_u64(enc, 0);
      return;
   }
   const size_t size = strlen(str) + 1;
   pv_enc_u64(enc, size);
   pv_enc_scalars(enc, str, size, 1);
}

void
pv_enc_strings(struct pv_encoder *enc, const char *const *strs, uint64_t count)
{
   if (!strs) {
      pv_enc_u64(enc, 0);
      return;
   }
   pv_enc_u64(enc, count);
   for (uint64_t i = 0; i < count; i++)
      pv_enc_string(enc, strs[i]);
}

void
pv_enc_blob(struct pv_encoder *enc, const void *data, uint64_t size)
{
   if (!data) {
      pv_enc_u64(enc, 0);
      return;
   }
   pv_enc_u64(enc, size);
   pv_enc_scalars(enc, data, size, 1);
}
