/* A broken echo server for `socklab check echo`, ON PURPOSE: one slow reader stalls everyone.
 * A single-threaded select() loop serves many clients at once, but writes each echo with a
 * BLOCKING write(): when one client sends a lot and never reads, its socket buffers fill, write()
 * waits for it, and no other client is served meanwhile. It must fail `blocked-peer` only.
 * Usage: echo_blocks_on_slow_reader PORT (binds 127.0.0.1; exits on SIGTERM). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

/* write(2) until every byte is gone: correct about short writes, but blocking (THE BUG). */
static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
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
  fd_set all;
  FD_ZERO(&all);
  FD_SET(lfd, &all);
  int maxfd = lfd;
  for (;;) {
    fd_set ready = all;
    if (select(maxfd + 1, &ready, NULL, NULL, NULL) < 0) continue;
    if (FD_ISSET(lfd, &ready)) {
      int fd = accept(lfd, NULL, NULL);
      if (fd >= 0 && fd < FD_SETSIZE) {
        FD_SET(fd, &all);
        if (fd > maxfd) maxfd = fd;
      } else if (fd >= 0) {
        close(fd);
      }
    }
    for (int fd = 0; fd <= maxfd; fd++) {
      if (fd == lfd || !FD_ISSET(fd, &ready)) continue;
      char buf[16384];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0 || write_all(fd, buf, (size_t)n) < 0) {
        close(fd);
        FD_CLR(fd, &all);
      }
    }
  }
}
