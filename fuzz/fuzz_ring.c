/* SPDX-License-Identifier: MIT */
/* Ring creation and ring traffic.  An input is a ring's description and its
 * contents: the first 48 bytes are twelve little-endian u32
 *
 *   blob size, window offset, window size, head, tail, status, buffer,
 *   buffer size, extra, extra size, the tail the guest publishes, flags
 *
 * the rest is written into the blob from the buffer offset on.  The harness
 * brings up a device (flags bit 0), creates the ring on the blob, notifies
 * it, writes its extra region (bit 1), submits a virtqueue seqno (bit 2),
 * waits briefly for the ring to consume or give up, then destroys ring and
 * context: the layout checks, the ring thread's reading of guest-owned
 * control words, and teardown racing a working ring are all exercised. */
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pv_fuzz.h"
#include "pv_fuzz_stream.h"

#define RING_ID 0x5600aa00ull
#define RES_ID 1u
#define MAX_BLOB (256u << 10)

enum {
   P_BLOB_SIZE, P_OFFSET, P_SIZE, P_HEAD, P_TAIL, P_STATUS, P_BUFFER, P_BUFFER_SIZE,
   P_EXTRA, P_EXTRA_SIZE, P_PUBLISHED_TAIL, P_FLAGS, P_COUNT
};

static uint32_t
word_at(const uint8_t *map, size_t size, uint32_t offset)
{
   uint32_t v = 0;
   if (offset <= size && size - offset >= 4)
      memcpy(&v, map + offset, 4);
   return v;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
   (void)argc;
   (void)argv;
   pv_fuzz_renderer();
   return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   uint32_t p[P_COUNT] = { 0 };
   memcpy(p, data, size < sizeof(p) ? size : sizeof(p));
   const uint8_t *contents = size > sizeof(p) ? data + sizeof(p) : NULL;
   const size_t contents_size = size > sizeof(p) ? size - sizeof(p) : 0;

   struct pv_context *ctx = pv_fuzz_context();
   const uint64_t blob_size = 4096 + p[P_BLOB_SIZE] % MAX_BLOB;
   struct pv_blob blob;
   if (pv_context_create_blob(ctx, RES_ID, PV_BLOB_TYPE_HOST3D, PV_BLOB_FLAG_MAPPABLE, 0,
                              blob_size, &blob)) {
      pv_fuzz_context_done(ctx);
      return 0;
   }
   close(blob.fd);
   void *ptr;
   uint64_t mapped;
   if (pv_context_map_resource(ctx, RES_ID, &ptr, &mapped))
      __builtin_trap();
   uint8_t *map = ptr;
   if (contents && p[P_BUFFER] < mapped) {
      const size_t room = (size_t)(mapped - p[P_BUFFER]);
      memcpy(map + p[P_BUFFER], contents, contents_size < room ? contents_size : room);
   }
   if (p[P_TAIL] <= mapped && mapped - p[P_TAIL] >= 4 && p[P_TAIL] % 4 == 0)
      memcpy(map + p[P_TAIL], &p[P_PUBLISHED_TAIL], 4);

   if (p[P_FLAGS] & 1)
      pv_fuzz_bring_up(ctx);

   struct pv_fuzz_stream s = { .count = 0 };
   pv_fuzz_command(&s, 188); /* vkCreateRingMESA */
   pv_fuzz_u64(&s, RING_ID);
   pv_fuzz_u64(&s, 1);
   pv_fuzz_u32(&s, 1000384000); /* VK_STRUCTURE_TYPE_RING_CREATE_INFO_MESA */
   pv_fuzz_u64(&s, 0);
   pv_fuzz_u32(&s, 0);
   pv_fuzz_u32(&s, RES_ID);
   pv_fuzz_u64(&s, p[P_OFFSET]);
   pv_fuzz_u64(&s, p[P_SIZE]);
   pv_fuzz_u64(&s, 1000000); /* idle timeout: 1 ms */
   pv_fuzz_u64(&s, p[P_HEAD]);
   pv_fuzz_u64(&s, p[P_TAIL]);
   pv_fuzz_u64(&s, p[P_STATUS]);
   pv_fuzz_u64(&s, p[P_BUFFER]);
   pv_fuzz_u64(&s, p[P_BUFFER_SIZE]);
   pv_fuzz_u64(&s, p[P_EXTRA]);
   pv_fuzz_u64(&s, p[P_EXTRA_SIZE]);
   pv_fuzz_command(&s, 190); /* vkNotifyRingMESA */
   pv_fuzz_u64(&s, RING_ID);
   pv_fuzz_u32(&s, p[P_PUBLISHED_TAIL]);
   pv_fuzz_u32(&s, 0);
   if (p[P_FLAGS] & 2) {
      pv_fuzz_command(&s, 191); /* vkWriteRingExtraMESA */
      pv_fuzz_u64(&s, RING_ID);
      pv_fuzz_u64(&s, p[P_EXTRA_SIZE] ^ p[P_FLAGS] >> 8);
      pv_fuzz_u32(&s, p[P_PUBLISHED_TAIL]);
   }
   if (p[P_FLAGS] & 4) {
      pv_fuzz_command(&s, 251); /* vkSubmitVirtqueueSeqnoMESA */
      pv_fuzz_u64(&s, RING_ID);
      pv_fuzz_u64(&s, p[P_FLAGS] >> 16);
   }
   pv_fuzz_submit(ctx, &s);

   /* up to 20 ms for the ring to get through its commands or stop */
   for (int i = 0; i < 200 && !pv_context_is_fatal(ctx); i++) {
      const uint32_t head = word_at(map, (size_t)mapped, p[P_HEAD]);
      const uint32_t status = word_at(map, (size_t)mapped, p[P_STATUS]);
      if (head == p[P_PUBLISHED_TAIL] || (status & 1))
         break;
      const struct timespec ts = { .tv_nsec = 100 * 1000 };
      nanosleep(&ts, NULL);
   }

   pv_fuzz_command(&s, 189); /* vkDestroyRingMESA */
   pv_fuzz_u64(&s, RING_ID);
   pv_fuzz_submit(ctx, &s);
   pv_fuzz_context_done(ctx);
   return 0;
}
