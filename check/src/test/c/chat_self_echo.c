/*
 * chat_self_echo PORT: a select() chat relay on 127.0.0.1 with one bug on purpose: every complete
 * line goes to every client, the sender included. socklab check chat must fail no-self-echo, and
 * only that (with --self-echo it passes everything).
 *
 * Otherwise it does what the course asks: a line buffer per client, only whole lines relayed,
 * SIGPIPE avoided (MSG_NOSIGNAL), and a client that does not read is cut off after a write waited
 * 1 s (SO_SNDTIMEO) instead of stalling the loop for everyone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXLINE 8192

static char buf[FD_SETSIZE][MAXLINE]; /* each client's partial line */
static size_t len[FD_SETSIZE];
static fd_set clients;
static int maxfd;

static void drop(int fd) {
  close(fd);
  FD_CLR(fd, &clients);
  len[fd] = 0;
}

/* The bug: no "if (fd == from) continue;" here. */
static void relay(const char *line, size_t n) {
  for (int fd = 0; fd <= maxfd; fd++) {
    if (FD_ISSET(fd, &clients) && send(fd, line, n, MSG_NOSIGNAL) != (ssize_t)n) {
      drop(fd); /* reset, or too slow: a short or timed-out write */
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 128) < 0) {
    perror("bind/listen");
    return 1;
  }
  maxfd = lfd;
  for (;;) {
    fd_set ready = clients;
    FD_SET(lfd, &ready);
    if (select(maxfd + 1, &ready, NULL, NULL, NULL) < 0) {
      if (errno == EINTR) continue;
      perror("select");
      return 1;
    }
    if (FD_ISSET(lfd, &ready)) {
      int c = accept(lfd, NULL, NULL);
      struct timeval t = {.tv_sec = 1};
      if (c >= FD_SETSIZE) {
        close(c);
      } else if (c >= 0) {
        setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t);
        FD_SET(c, &clients);
        len[c] = 0;
        if (c > maxfd) maxfd = c;
      }
    }
    for (int fd = 0; fd <= maxfd; fd++) {
      if (!FD_ISSET(fd, &ready) || !FD_ISSET(fd, &clients)) continue;
      ssize_t n = read(fd, buf[fd] + len[fd], MAXLINE - len[fd]);
      if (n <= 0) {
        drop(fd);
        continue;
      }
      len[fd] += n;
      char *nl, line[MAXLINE];
      while (FD_ISSET(fd, &clients) && (nl = memchr(buf[fd], '\n', len[fd])) != NULL) {
        size_t size = nl - buf[fd] + 1; /* copied out: relay() may drop fd and its buffer */
        memcpy(line, buf[fd], size);
        memmove(buf[fd], buf[fd] + size, len[fd] - size);
        len[fd] -= size;
        relay(line, size);
      }
      if (len[fd] == MAXLINE) len[fd] = 0; /* a line too long: dropped */
    }
  }
}
