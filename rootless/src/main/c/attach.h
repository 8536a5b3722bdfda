/*
 * The monitor's attach socket (<runroot>/containers/<id>/attach.sock, unix stream, 0600) and the attaching
 * client (`jpod-helper attach`). Frames both ways: 1 byte type, 4 bytes length (host order), payload.
 *   monitor → client: 'o' stdout bytes, 'e' stderr bytes, 'x' exit (int status; the last frame)
 *   client → monitor: 'i' stdin bytes, 'c' stdin ended, 'w' window size (unsigned short rows, cols)
 */
#ifndef JPOD_ATTACH_H
#define JPOD_ATTACH_H

#include <poll.h>
#include <stddef.h>

#define ATT_MAX_PAYLOAD 16384

/* ---- the monitor's side */
/* Creates the listening socket at path (bound by its last component from inside its directory, so long run
   roots do not hit the 107-byte sun_path limit). */
void att_listen(const char *path);
/* Where client input goes: fd (made non-blocking; a pipe or the pty master) or -1 for none. */
void att_set_input(int fd, int is_pty);
/* Adds the listening socket, the clients and the pending input's target to p; returns how many were added. */
int att_fill(struct pollfd *p, int max);
/* Handles the events of the n entries att_fill added. */
void att_handle(struct pollfd *p, int n);
/* Sends the container's output to every client. */
void att_output(const char *stream, const char *buf, size_t len);
/* Waits up to timeout_ms for the first client (start -a -i: nothing of the output is relayed before). */
void att_wait_first(int timeout_ms);
/* Sends the exit status to the clients, closes them and removes the socket. */
void att_finish(int code);

/* ---- jpod-helper attach SOCKET TTY STDIN DETACHKEYS SIGPID */
int cmd_attach(int argc, char **argv);

#endif
