/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_PROTO_H
#define PV_VTEST_PROTO_H

/* The vtest protocol as Mesa 25.0.x's Venus driver speaks it (protocol
 * version 3).  Every message is a header of two u32 -- payload length in
 * dwords (in bytes for CREATE_RENDERER) and command id -- then the payload.
 * Replies use the same header.  Fds travel in a separate sendmsg() carrying
 * one dummy byte and an SCM_RIGHTS message. */

#define PV_VTEST_PROTOCOL_VERSION 3u
#define PV_VTEST_DEFAULT_SOCKET "/tmp/.virgl_test"

#define PV_VTEST_HDR_SIZE 2u
#define PV_VTEST_CMD_LEN 0u
#define PV_VTEST_CMD_ID 1u

enum pv_vcmd {
   PV_VCMD_RESOURCE_UNREF = 3,
   PV_VCMD_RESOURCE_BUSY_WAIT = 7,
   PV_VCMD_CREATE_RENDERER = 8,
   PV_VCMD_PING_PROTOCOL_VERSION = 10,
   PV_VCMD_PROTOCOL_VERSION = 11,
   PV_VCMD_GET_PARAM = 15,
   PV_VCMD_GET_CAPSET = 16,
   PV_VCMD_CONTEXT_INIT = 17,
   PV_VCMD_RESOURCE_CREATE_BLOB = 18,
   PV_VCMD_SYNC_CREATE = 19,
   PV_VCMD_SYNC_UNREF = 20,
   PV_VCMD_SYNC_READ = 21,
   PV_VCMD_SYNC_WRITE = 22,
   PV_VCMD_SYNC_WAIT = 23,
   PV_VCMD_SUBMIT_CMD2 = 24,
   /* PearVisor's own, for its VMM library (src/vmm): a blob under an id the
    * client chooses, since a VMM's guest names resources by its own ids;
    * the payload is the id, then that of RESOURCE_CREATE_BLOB */
   PV_VCMD_RESOURCE_CREATE_BLOB_AT = 0x5056,
};

/* payload sizes in dwords */
#define PV_VCMD_BUSY_WAIT_SIZE 2u
#define PV_VCMD_PROTOCOL_VERSION_SIZE 1u
#define PV_VCMD_GET_PARAM_SIZE 1u
#define PV_VCMD_GET_CAPSET_SIZE 2u
#define PV_VCMD_CONTEXT_INIT_SIZE 1u
#define PV_VCMD_RES_CREATE_BLOB_SIZE 6u
#define PV_VCMD_RES_CREATE_BLOB_AT_SIZE 7u
#define PV_VCMD_RES_UNREF_SIZE 1u
#define PV_VCMD_SYNC_CREATE_SIZE 2u
#define PV_VCMD_SYNC_UNREF_SIZE 1u
#define PV_VCMD_SYNC_READ_SIZE 1u
#define PV_VCMD_SYNC_WRITE_SIZE 3u

#define PV_VCMD_PARAM_MAX_TIMELINE_COUNT 1u

#define PV_VCMD_SYNC_WAIT_FLAG_ANY 0x1u

/* SUBMIT_CMD2: batch_count, then the batch headers, then the command
 * streams, then {sync_id, value_lo, value_hi} triples.  Mesa writes 6-dword
 * batch headers; the stride is derived from where the streams start. */
#define PV_VCMD_SUBMIT_CMD2_FLAG_RING_IDX 0x1u
enum pv_vcmd_submit_batch {
   PV_BATCH_FLAGS,
   PV_BATCH_CMD_OFFSET,
   PV_BATCH_CMD_SIZE,
   PV_BATCH_SYNC_OFFSET,
   PV_BATCH_SYNC_COUNT,
   PV_BATCH_RING_IDX,
   PV_BATCH_FIELDS,
};

#endif /* PV_VTEST_PROTO_H */
