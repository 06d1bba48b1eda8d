/* SPDX-License-Identifier: MIT */
/* 2D resources (pv_virgl_2d.h): the guest's console and cursor.
 *
 * A 2D resource of one of virtio-gpu's eight 32-bit formats keeps its
 * pixels in host memory, rows top first, 4 bytes a pixel.  The guest
 * draws into its own pages (the backing the VMM attaches as iovecs) and
 * sends transfers naming a box of the resource and where in the backing
 * the box's first row starts; a transfer to the host copies those rows
 * into the host pixels and, once the resource is scanned out, into its GL
 * texture.  The layout follows virtio-gpu: with stride 0 (QEMU's 2D
 * transfers) the backing's rows are the resource's own width apart.
 *
 * Everything a transfer names comes from the guest: the box is checked
 * against the resource, the rows it reads against the backing's length
 * (every length in 64 bits, so no product or sum wraps), before a byte is
 * copied.  Refusals are logged, up to a budget, so that a guest cannot
 * flood the VMM's log. */
#include "pv_virgl_2d.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "pv_virgl_display.h"
#include "util/pv_log.h"

/* virtio-gpu's limits are the guest's word; these are the host's */
#define IMAGE_MAX_DIMENSION 16384u
/* all 2D resources' pixels together (QEMU's own 2D device defaults to the
 * same budget, max_hostmem) */
#define IMAGES_MAX_BYTES (256ull << 20)
/* cursors are 64x64 in virtio-gpu; a larger "cursor" is not copied */
#define CURSOR_MAX_DIMENSION 1024u
#define REFUSALS_LOGGED 32u
#define BYTES_PER_PIXEL 4u
#define RESOURCE_FLAG_Y_0_TOP 1u

#define FOURCC(a, b, c, d) ((int)((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | \
                                  (uint32_t)(d) << 24))

/* Where each channel sits in a pixel's 4 bytes (-1: no alpha, it is
 * opaque), and the DRM fourcc that names the same memory layout. */
struct pixel_layout {
   uint32_t format; /* virtio-gpu's (Gallium's) format number */
   int8_t r, g, b, a;
   int drm_fourcc;
};

static const struct pixel_layout layouts[] = {
   { 1, 2, 1, 0, 3, FOURCC('A', 'R', '2', '4') },   /* B8G8R8A8_UNORM */
   { 2, 2, 1, 0, -1, FOURCC('X', 'R', '2', '4') },  /* B8G8R8X8_UNORM: the console */
   { 3, 1, 2, 3, 0, FOURCC('B', 'A', '2', '4') },   /* A8R8G8B8_UNORM */
   { 4, 1, 2, 3, -1, FOURCC('B', 'X', '2', '4') },  /* X8R8G8B8_UNORM */
   { 67, 0, 1, 2, 3, FOURCC('A', 'B', '2', '4') },  /* R8G8B8A8_UNORM */
   { 68, 3, 2, 1, -1, FOURCC('R', 'X', '2', '4') }, /* X8B8G8R8_UNORM */
   { 121, 3, 2, 1, 0, FOURCC('R', 'A', '2', '4') }, /* A8B8G8R8_UNORM */
   { 134, 0, 1, 2, -1, FOURCC('X', 'B', '2', '4') }, /* R8G8B8X8_UNORM */
};

/* Gallium's targets that are one plain 2D image */
#define TARGET_TEXTURE_2D 2u
#define TARGET_TEXTURE_RECT 4u

struct image {
   uint32_t id;
   struct virgl_renderer_resource_create_args args;
   const struct pixel_layout *layout; /* NULL: a resource whose pixels are not kept */
   uint8_t *pixels;                   /* rows top first */
   size_t stride;
   uint64_t bytes;
   struct iovec *iov; /* the VMM's backing, handed back on detach */
   int iov_count;
   uint32_t texture; /* made when it is first scanned out, with GL */
   struct image *next;
};

static struct {
   once_flag once;
   mtx_t lock; /* the display lock: the table, and every GL call */
   struct image *images;
   uint64_t bytes;
   unsigned refusals_logged;
} table = { .once = ONCE_FLAG_INIT };

static void
init_lock(void)
{
   mtx_init(&table.lock, mtx_plain);
}

static void
lock(void)
{
   call_once(&table.once, init_lock);
   mtx_lock(&table.lock);
}

static void
unlock(void)
{
   mtx_unlock(&table.lock);
}

/* A guest's request refused: a log line while the budget lasts. */
__attribute__((format(printf, 2, 3))) static int
refuse(uint32_t id, const char *fmt, ...)
{
   if (table.refusals_logged >= REFUSALS_LOGGED)
      return -EINVAL;
   char why[256];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(why, sizeof(why), fmt, ap);
   va_end(ap);
   pv_warn("virgl: 2D resource %u: %s: refused", id, why);
   if (++table.refusals_logged == REFUSALS_LOGGED)
      pv_warn("virgl: %u refused 2D requests logged; further ones are not", REFUSALS_LOGGED);
   return -EINVAL;
}

static struct image *
find(uint32_t id)
{
   for (struct image *i = table.images; i; i = i->next) {
      if (i->id == id)
         return i;
   }
   return NULL;
}

static const struct pixel_layout *
layout_of(uint32_t format)
{
   for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
      if (layouts[i].format == format)
         return &layouts[i];
   }
   return NULL;
}

/* Rows [y, y + h), columns [x, x + w) as tightly packed R, G, B, A rows,
 * bottom row first when `bottom_first` (a GL texture of a Y_0_TOP
 * resource: see texture_rows); malloc'd, NULL if out of memory. */
static uint8_t *
to_rgba(const struct image *img, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
        bool bottom_first)
{
   uint8_t *out = malloc((size_t)w * h * BYTES_PER_PIXEL);
   if (!out)
      return NULL;
   const struct pixel_layout *l = img->layout;
   for (uint32_t row = 0; row < h; row++) {
      const uint32_t src_row = bottom_first ? y + h - 1 - row : y + row;
      const uint8_t *src = img->pixels + src_row * img->stride + (size_t)x * BYTES_PER_PIXEL;
      uint8_t *dst = out + (size_t)row * w * BYTES_PER_PIXEL;
      for (uint32_t col = 0; col < w; col++, src += BYTES_PER_PIXEL, dst += BYTES_PER_PIXEL) {
         dst[0] = src[l->r];
         dst[1] = src[l->g];
         dst[2] = src[l->b];
         dst[3] = l->a >= 0 ? src[l->a] : 0xff;
      }
   }
   return out;
}

/* GL's rows count from the bottom.  A Y_0_TOP resource (every 2D one:
 * QEMU creates them so) is stored bottom row first in its texture, the way
 * the VMM's display expects when it is told "y_0_top" (it then shows the
 * texture unflipped); other resources are stored as they are. */
static bool
texture_bottom_first(const struct image *img)
{
   return img->args.flags & RESOURCE_FLAG_Y_0_TOP;
}

static void
texture_update(struct image *img, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
   const bool bottom_first = texture_bottom_first(img);
   uint8_t *rgba = to_rgba(img, x, y, w, h, bottom_first);
   if (!rgba) {
      pv_warn("virgl: 2D resource %u: no memory to update its texture", img->id);
      return;
   }
   const uint32_t texture_y = bottom_first ? img->args.height - y - h : y;
   pv_display_texture_update(img->texture, x, texture_y, w, h, rgba);
   free(rgba);
}

static void
texture_make(struct image *img)
{
   uint8_t *rgba = to_rgba(img, 0, 0, img->args.width, img->args.height,
                           texture_bottom_first(img));
   if (!rgba) {
      pv_warn("virgl: 2D resource %u: no memory for its texture", img->id);
      return;
   }
   img->texture = pv_display_texture_create(img->args.width, img->args.height, rgba);
   free(rgba);
}

static void
destroy(struct image *img)
{
   pv_display_texture_delete(img->texture);
   table.bytes -= img->bytes;
   free(img->pixels);
   free(img);
}

/* Whether the resource is one whose pixels the host keeps, and their
 * storage; 0, or a refusal of the resource. */
static int
make_pixels(struct image *img)
{
   const struct virgl_renderer_resource_create_args *a = &img->args;
   const struct pixel_layout *layout = layout_of(a->format);
   const bool plain_2d = (a->target == TARGET_TEXTURE_2D || a->target == TARGET_TEXTURE_RECT) &&
                         a->depth <= 1 && a->array_size <= 1 && a->last_level == 0 &&
                         a->nr_samples <= 1;
   if (!layout || !plain_2d)
      return 0; /* an OpenGL guest's resource: kept, never rendered here */
   if (!a->width || !a->height || a->width > IMAGE_MAX_DIMENSION ||
       a->height > IMAGE_MAX_DIMENSION)
      return refuse(img->id, "size %ux%u (the host keeps 1 to %u pixels a side)", a->width,
                    a->height, IMAGE_MAX_DIMENSION);
   const uint64_t stride = (uint64_t)a->width * BYTES_PER_PIXEL;
   const uint64_t bytes = stride * a->height;
   if (bytes > IMAGES_MAX_BYTES - table.bytes)
      return refuse(img->id, "%ux%u pixels would take the 2D resources over %llu MiB",
                    a->width, a->height, IMAGES_MAX_BYTES >> 20);
   img->pixels = calloc(1, bytes); /* black until the guest sends its pixels */
   if (!img->pixels)
      return refuse(img->id, "no memory for %ux%u pixels", a->width, a->height);
   img->layout = layout;
   img->stride = stride;
   img->bytes = bytes;
   table.bytes += bytes;
   return 0;
}

int
pv_2d_create(const struct virgl_renderer_resource_create_args *args, struct iovec *iov,
             uint32_t iov_count)
{
   if (!args || !args->handle)
      return -EINVAL;
   lock();
   int ret = -EINVAL;
   struct image *img = find(args->handle) ? NULL : calloc(1, sizeof(*img));
   if (img) {
      img->id = args->handle;
      img->args = *args;
      ret = make_pixels(img);
   }
   if (img && !ret) {
      if (iov && iov_count && iov_count <= INT32_MAX) {
         img->iov = iov;
         img->iov_count = (int)iov_count;
      }
      img->next = table.images;
      table.images = img;
   } else {
      free(img);
   }
   unlock();
   return ret;
}

bool
pv_2d_exists(uint32_t id)
{
   lock();
   const bool found = find(id) != NULL;
   unlock();
   return found;
}

bool
pv_2d_unref(uint32_t id)
{
   lock();
   struct image *found = NULL;
   for (struct image **p = &table.images; *p; p = &(*p)->next) {
      if ((*p)->id == id) {
         found = *p;
         *p = found->next;
         destroy(found);
         break;
      }
   }
   unlock();
   return found != NULL;
}

int
pv_2d_attach_iov(uint32_t id, struct iovec *iov, int iov_count)
{
   lock();
   struct image *img = find(id);
   int ret = 0;
   if (!img)
      ret = -EINVAL;
   else if (!iov || iov_count <= 0)
      ret = refuse(id, "a backing of %d entries", iov_count);
   else if (img->iov)
      ret = refuse(id, "a second backing (detach the first)"); /* the VMM would leak one */
   else
      img->iov = iov, img->iov_count = iov_count;
   unlock();
   return ret;
}

bool
pv_2d_detach_iov(uint32_t id, struct iovec **iov, int *iov_count)
{
   lock();
   struct image *img = find(id);
   if (iov)
      *iov = img ? img->iov : NULL;
   if (iov_count)
      *iov_count = img ? img->iov_count : 0;
   if (img) {
      img->iov = NULL;
      img->iov_count = 0;
   }
   unlock();
   return img != NULL;
}

/* -- transfers ---------------------------------------------------------------------- */

/* A position in the concatenation of an iovec array, moved forward row by
 * row, so that a transfer walks the array once and not once a row. */
struct iov_cursor {
   const struct iovec *iov;
   int count;
   int index;
   uint64_t start; /* where iov[index] starts */
};

static uint64_t
iov_length(const struct iovec *iov, int count)
{
   uint64_t total = 0;
   for (int i = 0; i < count; i++) {
      total += iov[i].iov_len;
      if (total < iov[i].iov_len)
         return UINT64_MAX; /* cannot be: a process's memory is smaller */
   }
   return total;
}

/* len bytes at `offset` of the iovecs to or from `host`; the caller has
 * checked that they lie within the iovecs. */
static void
iov_copy(struct iov_cursor *c, uint64_t offset, uint8_t *host, size_t len,
         enum pv_transfer_direction direction)
{
   if (offset < c->start) {
      c->index = 0;
      c->start = 0;
   }
   while (len && c->index < c->count) {
      const struct iovec *v = &c->iov[c->index];
      if (offset >= c->start + v->iov_len) {
         c->start += v->iov_len;
         c->index++;
         continue;
      }
      const size_t within = (size_t)(offset - c->start);
      const size_t n = len < v->iov_len - within ? len : v->iov_len - within;
      uint8_t *guest = (uint8_t *)v->iov_base + within;
      if (direction == PV_TRANSFER_TO_HOST)
         memcpy(host, guest, n);
      else
         memcpy(guest, host, n);
      host += n;
      offset += n;
      len -= n;
   }
}

static int
transfer_locked(struct image *img, enum pv_transfer_direction direction, uint32_t level,
                uint32_t stride, const struct pv_transfer_box *box, uint64_t offset,
                const struct iovec *iov, int iov_count)
{
   const uint32_t id = img->id;
   if (!img->pixels)
      return refuse(id, "a transfer to a resource whose pixels the host does not keep "
                        "(format %u, target %u)", img->args.format, img->args.target);
   if (!box)
      return refuse(id, "a transfer without a box");
   if (level)
      return refuse(id, "a transfer to level %u (2D resources have level 0 alone)", level);
   if (box->z || box->d > 1)
      return refuse(id, "a transfer of depth %u at z %u (2D resources have one layer)",
                    box->d, box->z);
   if ((uint64_t)box->x + box->w > img->args.width ||
       (uint64_t)box->y + box->h > img->args.height)
      return refuse(id, "the box %ux%u at (%u, %u) lies outside the %ux%u resource", box->w,
                    box->h, box->x, box->y, img->args.width, img->args.height);
   if (!box->w || !box->h || !box->d)
      return 0; /* nothing to copy */
   const uint64_t row_bytes = (uint64_t)box->w * BYTES_PER_PIXEL;
   const uint64_t guest_stride = stride ? stride : img->stride;
   if (guest_stride < row_bytes)
      return refuse(id, "a stride of %llu bytes, shorter than the box's rows (%llu)",
                    (unsigned long long)guest_stride, (unsigned long long)row_bytes);
   if (!iov || iov_count <= 0) {
      iov = img->iov;
      iov_count = img->iov_count;
   }
   if (!iov || iov_count <= 0)
      return refuse(id, "a transfer with no backing attached");
   const uint64_t backing = iov_length(iov, iov_count);
   /* the last row ends here, past the first row's start: at most
    * 16383 * 4 GiB + 64 KiB, no wrap */
   const uint64_t span = (box->h - 1) * guest_stride + row_bytes;
   if (offset > backing || span > backing - offset)
      return refuse(id, "rows at offset %llu, %llu bytes, reach past the %llu-byte backing",
                    (unsigned long long)offset, (unsigned long long)span,
                    (unsigned long long)backing);
   struct iov_cursor cursor = { .iov = iov, .count = iov_count };
   for (uint32_t row = 0; row < box->h; row++) {
      uint8_t *host =
         img->pixels + (size_t)(box->y + row) * img->stride + (size_t)box->x * BYTES_PER_PIXEL;
      iov_copy(&cursor, offset + row * guest_stride, host, (size_t)row_bytes, direction);
   }
   if (direction == PV_TRANSFER_TO_HOST && img->texture)
      texture_update(img, box->x, box->y, box->w, box->h);
   return 0;
}

int
pv_2d_transfer(uint32_t id, enum pv_transfer_direction direction, uint32_t level,
               uint32_t stride, const struct pv_transfer_box *box, uint64_t offset,
               const struct iovec *iov, int iov_count)
{
   lock();
   struct image *img = find(id);
   const int ret = img ? transfer_locked(img, direction, level, stride, box, offset, iov,
                                         iov_count)
                       : refuse(id, "a transfer to a resource that does not exist");
   unlock();
   return ret;
}

/* -- what the VMM's display asks -------------------------------------------------------- */

int
pv_2d_get_info(uint32_t id, struct virgl_renderer_resource_info *info)
{
   lock();
   struct image *img = find(id);
   if (img) {
      /* asked when the guest scans the resource out: its texture is made
       * then, in the VMM's GL context, from the pixels sent so far */
      if (img->pixels && !img->texture)
         texture_make(img);
      memset(info, 0, sizeof(*info));
      info->handle = id;
      info->virgl_format = img->args.format;
      info->width = img->args.width;
      info->height = img->args.height;
      info->depth = img->args.depth;
      info->flags = img->args.flags;
      info->tex_id = img->texture;
      info->stride = (uint32_t)img->stride;
      info->drm_fourcc = img->layout ? img->layout->drm_fourcc : 0;
      info->fd = -1; /* host memory, no dma-buf */
   }
   unlock();
   return img ? 0 : -EINVAL;
}

void *
pv_2d_cursor_data(uint32_t id, uint32_t *width, uint32_t *height)
{
   lock();
   struct image *img = find(id);
   uint32_t *words = NULL;
   if (img && img->pixels && img->args.width <= CURSOR_MAX_DIMENSION &&
       img->args.height <= CURSOR_MAX_DIMENSION)
      words = malloc((size_t)img->args.width * img->args.height * sizeof(*words));
   if (words) {
      const struct pixel_layout *l = img->layout;
      const uint8_t *src = img->pixels;
      for (size_t i = 0; i < (size_t)img->args.width * img->args.height; i++, src += 4) {
         const uint32_t alpha = l->a >= 0 ? src[l->a] : 0xff;
         words[i] = alpha << 24 | (uint32_t)src[l->r] << 16 | (uint32_t)src[l->g] << 8 |
                    src[l->b];
      }
      *width = img->args.width;
      *height = img->args.height;
   } else {
      *width = *height = 0;
   }
   unlock();
   return words;
}

/* -- set-up and teardown ------------------------------------------------------------------ */

void
pv_2d_setup(void *cookie, const struct virgl_renderer_callbacks *callbacks)
{
   lock();
   pv_display_setup(cookie, callbacks);
   table.refusals_logged = 0;
   unlock();
}

void
pv_2d_reset(void)
{
   lock();
   while (table.images) {
      struct image *img = table.images;
      table.images = img->next;
      destroy(img);
   }
   unlock();
}

void
pv_2d_cleanup(void)
{
   pv_2d_reset();
   lock();
   pv_display_teardown();
   unlock();
}

void
pv_2d_make_current(void)
{
   lock();
   pv_display_make_current();
   unlock();
}
