/* SPDX-License-Identifier: MIT */
/* Runs inside the test VM: drives virtio-gpu's KMS device the way a
 * compositor's output does, keeping each frame up for the host to find on
 * QEMU's display (tests/vm/test_vm.py).  As DRM master of the card it
 * finds a connected connector, its CRTC and preferred mode, makes two dumb
 * buffers of that size (2D resources on the host), draws frame A in one and
 * frame B in the other, adds both as framebuffers, sets the mode with A and
 * page-flips to B, waiting for the flip's event; each frame stays up
 * HOLD_SECONDS for the host to find it.  Only kernel uapi ioctls: the guest
 * has no libdrm.
 *
 *   guest-kms CARD HOLD_SECONDS
 *
 * Output (stdout, the serial console), one item a line:
 *   kms-mode W H REFRESH NAME      the mode set
 *   kms-pattern COLUMNS BANDS RRGGBB x8
 *   kms-buffer A|B SHIFT FB_ID PITCH
 *   kms-crtc CRTC connector CONNECTOR
 *   kms-shown A                     the mode is set with frame A
 *   kms-flip event SEQUENCE | kms-flip setcrtc (PAGE_FLIP refused: ERROR)
 *   kms-shown B                     frame B replaced it
 *   kms-released                    HOLD_SECONDS later, just before exiting
 * The pixel at (x, y) of a frame is the palette's colour number
 * (x * COLUMNS / W + y * BANDS / H + SHIFT) % COLUMNS: vertical bars that move
 * one colour on in each horizontal band, so a frame shown mirrored, upside
 * down or shifted does not match; A's SHIFT is 4 more than B's, so the two
 * frames differ at every pixel.  Exits non-zero, saying why on stderr, on
 * any failure. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm_fourcc.h>
#include <drm_mode.h>

#define COLUMNS 8
#define BANDS 4
/* at full intensity and none black: every pixel of a frame differs from the
 * black around QEMU's window and from the console's grey text */
static const uint32_t palette[COLUMNS] = {
   0xff0000, 0x00ff00, 0x0000ff, 0xffff00, 0xff00ff, 0x00ffff, 0xffffff, 0xff8000,
};
#define SHIFT_B 0u
#define SHIFT_A (SHIFT_B + COLUMNS / 2)
/* how long to wait for the flip's event: a flip under TCG is a round trip
 * to QEMU of milliseconds; anything near this is broken */
#define FLIP_TIMEOUT_MS 10000
/* arrays the kernel fills after saying how long they are: asked again
 * while they grow under us (a hotplug between the two calls) */
#define ASK_TRIES 5

static int card = -1;

static bool
drm_ioctl(unsigned long request, void *arg, const char *what)
{
   int ret;
   do {
      ret = ioctl(card, request, arg);
   } while (ret < 0 && (errno == EINTR || errno == EAGAIN));
   if (ret < 0) {
      fprintf(stderr, "guest-kms: %s: %s\n", what, strerror(errno));
      return false;
   }
   return true;
}

static void *
array(uint32_t count, size_t size)
{
   /* one more, so a count of zero still gives a pointer the kernel ignores */
   void *p = calloc((size_t)count + 1, size);
   if (!p) {
      fprintf(stderr, "guest-kms: out of memory\n");
      exit(1);
   }
   return p;
}

struct buffer {
   uint32_t handle, pitch, fb;
   uint64_t size;
   uint32_t *pixels; /* mapped */
};

static bool
buffer_make(struct buffer *b, const struct drm_mode_modeinfo *mode, unsigned shift)
{
   struct drm_mode_create_dumb create = {
      .width = mode->hdisplay,
      .height = mode->vdisplay,
      .bpp = 32,
   };
   if (!drm_ioctl(DRM_IOCTL_MODE_CREATE_DUMB, &create, "CREATE_DUMB"))
      return false;
   b->handle = create.handle;
   b->pitch = create.pitch;
   b->size = create.size;
   if (b->pitch < 4u * mode->hdisplay || b->size < (uint64_t)b->pitch * mode->vdisplay) {
      fprintf(stderr, "guest-kms: a dumb buffer of pitch %u and %llu bytes for %ux%u\n",
              b->pitch, (unsigned long long)b->size, mode->hdisplay, mode->vdisplay);
      return false;
   }
   struct drm_mode_map_dumb map = { .handle = b->handle };
   if (!drm_ioctl(DRM_IOCTL_MODE_MAP_DUMB, &map, "MAP_DUMB"))
      return false;
   void *p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, card, (off_t)map.offset);
   if (p == MAP_FAILED) {
      fprintf(stderr, "guest-kms: mapping a dumb buffer: %s\n", strerror(errno));
      return false;
   }
   b->pixels = p;
   const uint32_t w = mode->hdisplay, h = mode->vdisplay;
   for (uint32_t y = 0; y < h; y++) {
      uint32_t *row = (uint32_t *)((char *)p + (size_t)y * b->pitch);
      for (uint32_t x = 0; x < w; x++)
         row[x] = palette[(x * COLUMNS / w + y * BANDS / h + shift) % COLUMNS];
   }
   struct drm_mode_fb_cmd2 fb = {
      .width = w,
      .height = h,
      .pixel_format = DRM_FORMAT_XRGB8888,
      .handles = { b->handle },
      .pitches = { b->pitch },
   };
   if (!drm_ioctl(DRM_IOCTL_MODE_ADDFB2, &fb, "ADDFB2"))
      return false;
   b->fb = fb.fb_id;
   return true;
}

/* The first connected connector with a mode: its id, its CRTC and its
 * preferred mode (else its first). */
static bool
find_output(uint32_t *connector_id, uint32_t *crtc_id, struct drm_mode_modeinfo *mode)
{
   struct drm_mode_card_res res;
   uint32_t *connectors = NULL, *crtcs = NULL;
   for (int tries = 0;; tries++) {
      memset(&res, 0, sizeof(res));
      if (!drm_ioctl(DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES"))
         return false;
      const uint32_t n_connectors = res.count_connectors, n_crtcs = res.count_crtcs;
      free(connectors);
      free(crtcs);
      connectors = array(n_connectors, sizeof(*connectors));
      crtcs = array(n_crtcs, sizeof(*crtcs));
      res.connector_id_ptr = (uintptr_t)connectors;
      res.crtc_id_ptr = (uintptr_t)crtcs;
      res.count_fbs = res.count_encoders = 0;
      if (!drm_ioctl(DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES"))
         return false;
      if (res.count_connectors <= n_connectors && res.count_crtcs <= n_crtcs)
         break;
      if (tries == ASK_TRIES) {
         fprintf(stderr, "guest-kms: the card's resources keep changing\n");
         return false;
      }
   }
   printf("kms-card %u connectors %u crtcs\n", res.count_connectors, res.count_crtcs);

   bool found = false;
   for (uint32_t i = 0; i < res.count_connectors && !found; i++) {
      struct drm_mode_get_connector conn;
      struct drm_mode_modeinfo *modes = NULL;
      uint32_t *encoders = NULL;
      for (int tries = 0;; tries++) {
         /* the first call, with no room for modes, probes the connector */
         memset(&conn, 0, sizeof(conn));
         conn.connector_id = connectors[i];
         if (!drm_ioctl(DRM_IOCTL_MODE_GETCONNECTOR, &conn, "GETCONNECTOR"))
            return false;
         const uint32_t n_modes = conn.count_modes, n_encoders = conn.count_encoders;
         free(modes);
         free(encoders);
         modes = array(n_modes, sizeof(*modes));
         encoders = array(n_encoders, sizeof(*encoders));
         conn.modes_ptr = (uintptr_t)modes;
         conn.encoders_ptr = (uintptr_t)encoders;
         conn.count_props = 0;
         if (!drm_ioctl(DRM_IOCTL_MODE_GETCONNECTOR, &conn, "GETCONNECTOR"))
            return false;
         if (conn.count_modes <= n_modes && conn.count_encoders <= n_encoders)
            break;
         if (tries == ASK_TRIES) {
            fprintf(stderr, "guest-kms: connector %u keeps changing\n", connectors[i]);
            return false;
         }
      }
      printf("kms-connector %u connection %u modes %u encoders %u\n", conn.connector_id,
             conn.connection, conn.count_modes, conn.count_encoders);
      /* 1: DRM_MODE_CONNECTED (libdrm's xf86drmMode.h, not in the uapi) */
      if (conn.connection == 1 && conn.count_modes > 0 && conn.count_encoders > 0) {
         uint32_t pick = 0;
         for (uint32_t m = 0; m < conn.count_modes; m++) {
            if (modes[m].type & DRM_MODE_TYPE_PREFERRED) {
               pick = m;
               break;
            }
         }
         *mode = modes[pick];
         struct drm_mode_get_encoder enc = {
            .encoder_id = conn.encoder_id ? conn.encoder_id : encoders[0],
         };
         if (!drm_ioctl(DRM_IOCTL_MODE_GETENCODER, &enc, "GETENCODER"))
            return false;
         /* an encoder not yet driving a CRTC: the first it can drive */
         *crtc_id = enc.crtc_id;
         for (uint32_t c = 0; c < res.count_crtcs && !*crtc_id; c++) {
            if (enc.possible_crtcs & (1u << c))
               *crtc_id = crtcs[c];
         }
         *connector_id = conn.connector_id;
         found = *crtc_id != 0;
      }
      free(modes);
      free(encoders);
   }
   free(connectors);
   free(crtcs);
   if (!found)
      fprintf(stderr, "guest-kms: no connected connector with a mode and a CRTC\n");
   return found;
}

static bool
set_crtc(uint32_t crtc_id, uint32_t connector_id, const struct drm_mode_modeinfo *mode,
         uint32_t fb)
{
   struct drm_mode_crtc set = {
      .set_connectors_ptr = (uintptr_t)&connector_id,
      .count_connectors = 1,
      .crtc_id = crtc_id,
      .fb_id = fb,
      .mode_valid = 1,
      .mode = *mode,
   };
   return drm_ioctl(DRM_IOCTL_MODE_SETCRTC, &set, "SETCRTC");
}

/* Reads the card until the flip event with this user_data came; its
 * sequence number in *sequence. */
static bool
wait_flip(uint64_t user_data, uint32_t *sequence)
{
   struct timespec start;
   if (clock_gettime(CLOCK_MONOTONIC, &start)) {
      perror("guest-kms: clock_gettime");
      return false;
   }
   for (;;) {
      struct timespec now;
      if (clock_gettime(CLOCK_MONOTONIC, &now)) {
         perror("guest-kms: clock_gettime");
         return false;
      }
      const long waited_ms =
         (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
      if (waited_ms >= FLIP_TIMEOUT_MS) {
         fprintf(stderr, "guest-kms: no page flip event within %d ms\n", FLIP_TIMEOUT_MS);
         return false;
      }
      struct pollfd p = { .fd = card, .events = POLLIN };
      const int ready = poll(&p, 1, (int)(FLIP_TIMEOUT_MS - waited_ms));
      if (ready < 0 && errno == EINTR)
         continue;
      if (ready < 0) {
         perror("guest-kms: poll");
         return false;
      }
      if (ready == 0)
         continue; /* the timeout, said above */
      /* the kernel hands out whole events, as many as fit */
      char buf[1024];
      const ssize_t n = read(card, buf, sizeof(buf));
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
         continue;
      if (n < 0) {
         perror("guest-kms: reading the card's events");
         return false;
      }
      for (ssize_t at = 0; at + (ssize_t)sizeof(struct drm_event) <= n;) {
         struct drm_event e;
         memcpy(&e, buf + at, sizeof(e));
         if (e.length < sizeof(e) || at + (ssize_t)e.length > n) {
            fprintf(stderr, "guest-kms: an event of %u bytes in a read of %zd\n", e.length,
                    n);
            return false;
         }
         if (e.type == DRM_EVENT_FLIP_COMPLETE && e.length >= sizeof(struct drm_event_vblank)) {
            struct drm_event_vblank v;
            memcpy(&v, buf + at, sizeof(v));
            if (v.user_data == user_data) {
               *sequence = v.sequence;
               return true;
            }
         }
         at += e.length;
      }
   }
}

/* Keeps what is on the CRTC up for the host to find. */
static void
hold_frame(unsigned seconds)
{
   for (unsigned left = seconds; left;)
      left = sleep(left); /* what is left after a signal */
}

int
main(int argc, char **argv)
{
   char *end;
   const long hold = argc == 3 ? strtol(argv[2], &end, 10) : -1;
   if (argc != 3 || *end || hold < 0 || hold > 600) {
      fprintf(stderr, "usage: guest-kms CARD HOLD_SECONDS (0 to 600)\n");
      return 2;
   }
   card = open(argv[1], O_RDWR | O_CLOEXEC);
   if (card < 0) {
      fprintf(stderr, "guest-kms: %s: %s\n", argv[1], strerror(errno));
      return 1;
   }
   /* modesetting is the master's alone; fbcon is an in-kernel client and
    * hands the output over */
   if (!drm_ioctl(DRM_IOCTL_SET_MASTER, NULL, "SET_MASTER"))
      return 1;
   struct drm_get_cap dumb = { .capability = DRM_CAP_DUMB_BUFFER };
   if (!drm_ioctl(DRM_IOCTL_GET_CAP, &dumb, "GET_CAP DUMB_BUFFER"))
      return 1;
   if (!dumb.value) {
      fprintf(stderr, "guest-kms: the card has no dumb buffers\n");
      return 1;
   }

   uint32_t connector_id = 0, crtc_id = 0;
   struct drm_mode_modeinfo mode;
   if (!find_output(&connector_id, &crtc_id, &mode))
      return 1;
   if (!mode.hdisplay || !mode.vdisplay) {
      fprintf(stderr, "guest-kms: a mode of %ux%u\n", mode.hdisplay, mode.vdisplay);
      return 1;
   }
   printf("kms-mode %u %u %u %.*s\n", mode.hdisplay, mode.vdisplay, mode.vrefresh,
          DRM_DISPLAY_MODE_LEN, mode.name);
   printf("kms-pattern %d %d", COLUMNS, BANDS);
   for (int i = 0; i < COLUMNS; i++)
      printf(" %06x", palette[i]);
   printf("\n");
   fflush(stdout);

   struct buffer a = { 0 }, b = { 0 };
   if (!buffer_make(&a, &mode, SHIFT_A) || !buffer_make(&b, &mode, SHIFT_B))
      return 1;
   printf("kms-buffer A %u %u %u\n", SHIFT_A, a.fb, a.pitch);
   printf("kms-buffer B %u %u %u\n", SHIFT_B, b.fb, b.pitch);

   if (!set_crtc(crtc_id, connector_id, &mode, a.fb))
      return 1;
   printf("kms-crtc %u connector %u\n", crtc_id, connector_id);
   printf("kms-shown A\n");
   fflush(stdout);
   hold_frame((unsigned)hold);

   /* what a compositor does for each new frame: flip at the next vblank
    * and wait for the event that says the old buffer is free */
   const uint64_t cookie = 0x5056464c4950ull; /* "PVFLIP" */
   struct drm_mode_crtc_page_flip flip = {
      .crtc_id = crtc_id,
      .fb_id = b.fb,
      .flags = DRM_MODE_PAGE_FLIP_EVENT,
      .user_data = cookie,
   };
   if (ioctl(card, DRM_IOCTL_MODE_PAGE_FLIP, &flip) == 0) {
      uint32_t sequence = 0;
      if (!wait_flip(cookie, &sequence))
         return 1;
      printf("kms-flip event %u\n", sequence);
   } else {
      /* a device without flips still shows B, by a mode set */
      const int flip_errno = errno;
      if (!set_crtc(crtc_id, connector_id, &mode, b.fb))
         return 1;
      printf("kms-flip setcrtc (PAGE_FLIP refused: %s)\n", strerror(flip_errno));
   }
   printf("kms-shown B\n");
   fflush(stdout);
   hold_frame((unsigned)hold);
   printf("kms-released\n");
   fflush(stdout);
   /* closing the card removes both framebuffers and gives the output back
    * to fbcon */
   if (munmap(a.pixels, a.size) || munmap(b.pixels, b.size)) {
      perror("guest-kms: munmap");
      return 1;
   }
   if (close(card)) {
      perror("guest-kms: close");
      return 1;
   }
   return 0;
}
