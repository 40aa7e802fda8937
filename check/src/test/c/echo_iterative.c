/* A broken echo server for `socklab check echo`, ON PURPOSE: it serves one client at a time.
 * The read/write loop sits inside the accept loop, with no thread, fork or select(), so a second
 * client waits in the listen queue until the first one leaves. It must fail `concurrent-clients`
 * (blocked-peer and slowloris SKIP: they need two clients served at once) and pass the rest.
 * Usage: echo_iterative PORT (binds 127.0.0.1; exits on SIGTERM, the default action). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* write(2) until every byte is gone: a short write is not an error. */
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
  signal(SIGPIPE, SIG_IGN); /* a write to a reset peer is EPIPE, not death */
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
    /* THE BUG: this loop runs to the client's EOF before the next accept(). */
    char buf[16384];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
      if (write_all(fd, buf, (size_t)n) < 0) break;
    close(fd);
  }
}
