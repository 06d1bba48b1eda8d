/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_IO_H
#define PV_VTEST_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stddef.h>
#include <stdint.h>

/* Socket I/O of one vtest connection: whole reads and writes, retried on
 * EINTR, and fd passing.  Writes never raise SIGPIPE. */

/* Reads exactly `size` bytes; false on EOF or error (errno set, 0 on EOF). */
bool pv_vtest_read(int fd, void *buf, size_t size);
/* Reads and discards `size` bytes. */
bool pv_vtest_skip(int fd, size_t size);
bool pv_vtest_write(int fd, const void *buf, size_t size);
/* Writes a reply header followed by `dwords` dwords of payload. */
bool pv_vtest_reply(int fd, uint32_t cmd, const uint32_t *payload, uint32_t dwords);
/* Sends `send_fd` with one dummy byte, as the client's recvmsg expects. */
bool pv_vtest_send_fd(int fd, int send_fd);
/* The same with `size` bytes of `data` instead of the dummy byte. */
bool pv_vtest_send_fd_with(int fd, int send_fd, const void *data, size_t size);
/* The client's side of it: the fd that came with one byte, or -1. */
int pv_vtest_recv_fd(int fd);
/* Receives a descriptor sent with exactly `size` bytes into `data`; -1 if
 * anything else came. */
int pv_vtest_recv_fd_with(int fd, void *data, size_t size);
/* The same with recvmsg flags (MSG_DONTWAIT): -1 with errno EAGAIN when
 * nothing has come yet.  A message of another shape closes whatever
 * descriptors it carried and fails with EBADMSG. */
int pv_vtest_recv_fd_flags(int fd, void *data, size_t size, int flags);

#endif /* PV_VTEST_IO_H */
