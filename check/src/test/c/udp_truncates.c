/*
 * udp_truncates: a UDP echo server with a fixed small buffer. recvfrom() into
 * char buf[1024] silently cuts a longer datagram (the kernel drops the rest), and the
 * server echoes what fit: a 65,507-byte datagram comes back as its first 1,024 bytes.
 * socklab check udp fails max-size, and only that.
 *
 * usage: udp_truncates PORT   (binds 127.0.0.1:PORT; SIGTERM ends it)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  signal(SIGTERM, on_term);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("bind");
    return 1;
  }
  char buf[1024]; /* THE BUG: smaller than the largest datagram, 65,507 bytes */
  for (;;) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n < 0) {
      perror("recvfrom");
      continue;
    }
    sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);
  }
}
