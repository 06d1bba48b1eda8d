/* SPDX-License-Identifier: MIT */
#ifndef PV_CAPTURE_H
#define PV_CAPTURE_H

/* Captures of what a guest sent, and their replay.
 *
 * With config.capture_dir set, every context writes one file of records:
 * the blobs it created and dropped, each command stream it executed (the
 * transport's streams once executed, ring chunks as the ring starts them,
 * indirect streams as written into their blob), and the fences it
 * submitted.  Replaying a capture on a fresh context runs the same guest
 * session again without the guest: on the host driver to reproduce a bug
 * (`pearvisor-gpu replay`), or on the null host as a fuzzer's input.
 *
 * File: the 8-byte magic "PVCAP\0\0\1", then records, each
 *   u32 tag, u32 payload bytes, payload, zero padding to 4 bytes
 * little-endian, with these payloads:
 *   BLOB        u32 res_id, u32 blob_type, u32 blob_flags, u32 0,
 *               u64 blob_id, u64 size
 *   UNREF       u32 res_id
 *   STREAM      the stream (the transport's, executed by the context)
 *   RING        u64 ring_id, then the chunk the ring executed
 *   BLOB_WRITE  u32 res_id, u32 0, u64 ring_id (0: the context's own
 *               stream), u64 offset, then bytes the guest had written there
 *               for that stream to execute (an indirect stream).  Written
 *               while the stream runs: after a RING record, before a STREAM
 *               record; a replay applies them before either runs.
 *   FENCE       u32 ring_idx, u32 0, u64 fence_id
 *   FAILURES    u64 mask: the null host fails the calls whose number mod
 *               64 is set in it (fuzzing only; captures never have it)
 * A replay treats the file as hostile input like any guest stream.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pv_context;
struct pv_capture;

#define PV_CAPTURE_MAGIC "PVCAP\0\0\1"
#define PV_CAPTURE_MAGIC_SIZE 8

enum pv_capture_tag {
   PV_CAPTURE_BLOB = 1,
   PV_CAPTURE_UNREF = 2,
   PV_CAPTURE_STREAM = 3,
   PV_CAPTURE_RING = 4,
   PV_CAPTURE_BLOB_WRITE = 5,
   PV_CAPTURE_FENCE = 6,
   PV_CAPTURE_FAILURES = 7,
};

/* Opens the context's capture file in `dir`; NULL (logged) on failure. */
struct pv_capture *pv_capture_open(const char *dir, const struct pv_context *ctx);
void pv_capture_close(struct pv_capture *cap);

/* Each appends one record; a NULL capture does nothing.  Thread-safe. */
void pv_capture_blob(struct pv_capture *cap, uint32_t res_id, uint32_t blob_type,
                     uint32_t blob_flags, uint64_t blob_id, uint64_t size);
void pv_capture_unref(struct pv_capture *cap, uint32_t res_id);
void pv_capture_stream(struct pv_capture *cap, const void *data, size_t size);
void pv_capture_ring(struct pv_capture *cap, uint64_t ring_id, const void *data, size_t size);
void pv_capture_blob_write(struct pv_capture *cap, uint32_t res_id, uint64_t ring_id,
                           uint64_t offset, const void *data, size_t size);
void pv_capture_fence(struct pv_capture *cap, uint32_t ring_idx, uint64_t fence_id);

/* -- reading ------------------------------------------------------------------ */

/* The records of a capture one by one, every read bounds-checked: the file
 * is hostile input like any guest stream (replay, `pearvisor-gpu decode`). */
struct pv_capture_record {
   uint32_t tag;
   uint32_t size;          /* of the payload */
   const uint8_t *payload;
   size_t offset;          /* of the record's header in the file */
};

struct pv_capture_reader {
   const uint8_t *data;
   size_t size;
   size_t pos;
   bool truncated;         /* the file ended inside a record */
};

/* Starts at the first record (after the magic, if the data has it). */
void pv_capture_reader_init(struct pv_capture_reader *r, const void *data, size_t size);
/* The next record; false at the end of the data or where it is cut short. */
bool pv_capture_next(struct pv_capture_reader *r, struct pv_capture_record *rec);

/* A record's fields, as its tag gives them. */
struct pv_capture_fields {
   uint32_t res_id;        /* BLOB, UNREF, BLOB_WRITE */
   uint32_t blob_type, blob_flags;
   uint64_t blob_id, size; /* BLOB */
   uint64_t ring_id;       /* RING; BLOB_WRITE (0: the context's stream) */
   uint64_t offset;        /* BLOB_WRITE: where in the blob */
   uint32_t ring_idx;      /* FENCE */
   uint64_t fence_id;      /* FENCE */
   uint64_t mask;          /* FAILURES */
   const uint8_t *bytes;   /* STREAM, RING, BLOB_WRITE: the commands */
   size_t bytes_size;
};

/* False when the record is too short for its tag, or its tag is unknown. */
bool pv_capture_parse(const struct pv_capture_record *rec, struct pv_capture_fields *f);

/* -- replay ------------------------------------------------------------------- */

struct pv_replay_options {
   uint32_t ring_timeout_ms;  /* how long a ring chunk may take (it may wait for
                                 something a later record brings) */
   uint64_t max_blob_bytes;   /* blobs are clamped to this (0: as recorded) */
   void (*set_failures)(uint64_t mask); /* FAILURES records go here (NULL: ignored) */
   bool inline_rings;         /* rings get no thread: their chunks run on the
                                 replaying thread (fast and deterministic; a
                                 chunk's wait for a later record is skipped) */
};

struct pv_replay_stats {
   uint32_t records;
   uint32_t streams;          /* STREAM and RING records run */
   uint64_t stream_bytes;     /* bytes of commands run (indirect streams too) */
   uint64_t commands;         /* commands those streams held, as executed */
   uint64_t stream_ns;        /* time spent running them */
   bool truncated;            /* the file ended inside a record */
};

/* Replays `size` bytes of a capture (with or without the magic) on `ctx`.
 * Stops early once the context is fatal.  Returns true if every record was
 * well-formed and the context is not fatal. */
bool pv_capture_replay(struct pv_context *ctx, const void *data, size_t size,
                       const struct pv_replay_options *options, struct pv_replay_stats *stats);

#endif /* PV_CAPTURE_H */
