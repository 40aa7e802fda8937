/*
 * Broken on purpose: no setsockopt(SO_REUSEADDR) before bind(). On SIGTERM it closes its
 * connections first (so they wait in TIME_WAIT on its side) and exits 0; started again at once,
 * its bind() fails with EADDRINUSE. socklab check fails only `restart` on it.
 * An iterative server: one client at a time. Usage: echo_no_reuseaddr PORT (127.0.0.1).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) { stop = 1; }

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  struct sigaction sa = {.sa_handler = on_term}; /* no SA_RESTART: accept()/read() get EINTR */
  sigaction(SIGTERM, &sa, NULL);
  int lfd = socket(AF_INET, SOCK_STREAM, 0); /* THE BUG: no SO_REUSEADDR */
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 64) < 0) {
    perror("bind/listen");
    return 1;
  }
  printf("listening on 127.0.0.1:%s\n", argv[1]);
  fflush(stdout);
  while (!stop) {
    int cfd = accept(lfd, NULL, NULL);
    if (cfd < 0) continue;
    char buf[4096];
    ssize_t n;
    while (!stop && (n = read(cfd, buf, sizeof buf)) > 0) write(cfd, buf, n);
    close(cfd); /* on SIGTERM: we close first, so TIME_WAIT is on our side */
  }
  close(lfd);
  printf("stopped\n");
  return 0;
}
