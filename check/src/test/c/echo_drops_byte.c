/* A broken echo server for `socklab check echo`, ON PURPOSE: it ignores partial writes.
 * A thread per client echoes each read() with ONE send(MSG_DONTWAIT) and never looks at what it
 * returns: when the socket's send buffer is full (the client reads slower than it writes), send()
 * takes fewer bytes than asked, or none (EAGAIN), and the rest is dropped. SO_SNDBUF is 128 KiB:
 * small replies (every case but `large`) always fit, while `large`'s 4 MiB, written before the
 * checker reads, overflows it every time, however the kernel has tuned the receive buffer.
 * Usage: echo_drops_byte PORT (binds 127.0.0.1; exits on SIGTERM, the default action). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void *serve(void *arg) {
  int fd = (int)(intptr_t)arg;
  int sndbuf = 128 << 10; /* small, so a fast writer overflows it and the bug shows every time */
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    /* THE BUG: one send(), its count ignored; a loop until all n bytes are sent is missing. */
    if (send(fd, buf, (size_t)n, MSG_DONTWAIT) < 0 && errno != EAGAIN)
      break;
  }
  close(fd);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 128) < 0) {
    perror("bind/listen");
    return 1;
  }
  for (;;) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) continue;
    pthread_t t;
    if (pthread_create(&t, NULL, serve, (void *)(intptr_t)fd) != 0) {
      close(fd);
      continue;
    }
    pthread_detach(t);
  }
}
