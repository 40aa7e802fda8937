/* A broken echo server for `socklab check echo`, ON PURPOSE: it drops what it owes at EOF.
 * Per client, a reader thread passes what it reads through a pipe to a writer thread, which
 * echoes it in 4 KiB pieces a millisecond apart (a slow writer). When read() returns 0 the reader
 * tears the connection down at once (shutdown(SHUT_RDWR)) instead of letting the writer finish:
 * whatever is still in the pipe is lost. Echoes work while the client keeps its side open; it
 * must fail `half-close` only. Usage: echo_no_half_close PORT (binds 127.0.0.1). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn { int fd, pipe[2]; };

static void *writer(void *arg) {
  struct conn *c = arg;
  char buf[4096];
  ssize_t n;
  while ((n = read(c->pipe[0], buf, sizeof buf)) > 0) {
    for (ssize_t off = 0, w; off < n; off += w)
      if ((w = write(c->fd, buf + off, (size_t)(n - off))) < 0) goto out;
    usleep(1000);
  }
out:
  close(c->pipe[0]); /* a reader still writing to the pipe gets EPIPE and stops */
  return NULL;
}

static void *reader(void *arg) {
  struct conn *c = arg;
  pthread_t w;
  if (pipe(c->pipe) < 0 || pthread_create(&w, NULL, writer, c) != 0) {
    close(c->fd);
    free(c);
    return NULL;
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(c->fd, buf, sizeof buf)) > 0)
    for (ssize_t off = 0, m; off < n; off += m)
      if ((m = write(c->pipe[1], buf + off, (size_t)(n - off))) < 0) goto out;
out:
  shutdown(c->fd, SHUT_RDWR); /* THE BUG: should close(pipe[1]) and let the writer finish first */
  close(c->pipe[1]);
  pthread_join(w, NULL);
  close(c->fd);
  free(c);
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
    struct conn *c = malloc(sizeof *c);
    if ((c->fd = accept(lfd, NULL, NULL)) < 0) {
      free(c);
      continue;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, reader, c) != 0) {
      close(c->fd);
      free(c);
      continue;
    }
    pthread_detach(t);
  }
}
