/* A broken echo server for `socklab check echo`, ON PURPOSE: SIGPIPE kills it.
 * A thread per client echoes with write() and ignores what it returns; SIGPIPE keeps its default
 * action. When a client resets its connection while the server writes to it, the first write()
 * fails with ECONNRESET, the next one raises SIGPIPE, and the whole server dies. It must fail
 * `peer-reset` (and every case after it: the server is gone) and pass every case before it.
 * Usage: echo_sigpipe PORT (binds 127.0.0.1; exits on SIGTERM, the default action). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void *serve(void *arg) {
  int fd = (int)(intptr_t)arg;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    ssize_t w = write(fd, buf, (size_t)n); /* THE BUG: no signal(SIGPIPE, SIG_IGN), and */
    (void)w;                               /* write()'s errors (and short counts) ignored */
  }
  close(fd);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
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
