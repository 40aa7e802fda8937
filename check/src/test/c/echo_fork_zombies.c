/*
 * Broken on purpose: fork() per client, and the parent never waits for its children: no SIGCHLD
 * handler, no waitpid(). Every child that exits stays <defunct> (a zombie). socklab check fails
 * only `zombies` on it. Usage: echo_fork_zombies PORT (listens on 127.0.0.1).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
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
    if (fork() == 0) { /* the child: echo until EOF, then exit */
      close(lfd);
      char buf[4096];
      ssize_t n;
      while ((n = read(cfd, buf, sizeof buf)) > 0) write(cfd, buf, n);
      _exit(0); /* THE BUG: nobody calls waitpid() for this child */
    }
    close(cfd); /* the parent: the child has its own copy */
  }
}
