/* A broken echo server for `socklab check echo`, ON PURPOSE: it leaks a descriptor per client.
 * A thread per client echoes correctly and ends with shutdown(SHUT_RDWR), which sends the FIN,
 * but never close()s the descriptor, so after RLIMIT_NOFILE clients accept() fails with EMFILE
 * and nobody new is served. The limit is lowered to 256 here so that this happens within
 * `many-connections`; every other case must pass.
 * Usage: echo_leaks_fds PORT (binds 127.0.0.1; exits on SIGTERM, the default action). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static void *serve(void *arg) {
  int fd = (int)(intptr_t)arg;
  char buf[16384];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t off = 0, w; off < n; off += w)
      if ((w = write(fd, buf + off, (size_t)(n - off))) < 0) return NULL;
  }
  shutdown(fd, SHUT_RDWR); /* the client sees EOF... */
  return NULL;             /* THE BUG: ...but no close(fd): the descriptor stays taken */
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  struct rlimit lim = {256, 256};
  setrlimit(RLIMIT_NOFILE, &lim); /* so the leak shows after ~250 clients, not ~1024 */
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
    if (fd < 0) {
      perror("accept"); /* EMFILE, once the leak has used every descriptor */
      usleep(100000);   /* not part of the bug: do not spin while the check runs */
      continue;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, serve, (void *)(intptr_t)fd) != 0) {
      close(fd);
      continue;
    }
    pthread_detach(t);
  }
}
