/*
 * Broken on purpose: signal(SIGTERM, SIG_IGN), so SIGTERM never stops it (only SIGKILL does).
 * Otherwise correct: SO_REUSEADDR, fork() per client, children reaped in a SIGCHLD handler.
 * socklab check fails only `sigterm` on it. Usage: echo_ignores_sigterm PORT (127.0.0.1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void reap(int sig) {
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  signal(SIGTERM, SIG_IGN); /* THE BUG */
  struct sigaction sa = {.sa_handler = reap, .sa_flags = SA_RESTART};
  sigaction(SIGCHLD, &sa, NULL);
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 64) < 0) {
    perror("bind/listen");
    return 1;
  }
  printf("listening on 127.0.0.1:%s\n", argv[1]);
  fflush(stdout);
  for (;;) {
    int cfd = accept(lfd, NULL, NULL);
    if (cfd < 0) continue;
    if (fork() == 0) {
      close(lfd);
      char buf[4096];
      ssize_t n;
      while ((n = read(cfd, buf, sizeof buf)) > 0) write(cfd, buf, n);
      _exit(0);
    }
    close(cfd);
  }
}
