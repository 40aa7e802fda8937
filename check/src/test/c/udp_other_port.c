/*
 * udp_other_port: a UDP echo server that answers from another socket. It receives on
 * one socket bound to 127.0.0.1:PORT but sendto()s every reply from a second socket
 * bound to another (ephemeral) port, so the reply's source port is not the one the
 * client sent to: a client that called connect() drops it. The bytes are right.
 * socklab check udp fails reply-source, and only that.
 *
 * usage: udp_other_port PORT   (binds 127.0.0.1:PORT; SIGTERM ends it)
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
  int in = socket(AF_INET, SOCK_DGRAM, 0);
  int out = socket(AF_INET, SOCK_DGRAM, 0); /* THE BUG: replies leave from this one */
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct sockaddr_in other = {.sin_family = AF_INET, .sin_port = 0}; /* any free port */
  other.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (in < 0 || out < 0 || bind(in, (struct sockaddr *)&addr, sizeof addr) < 0 ||
      bind(out, (struct sockaddr *)&other, sizeof other) < 0) {
    perror("bind");
    return 1;
  }
  static char buf[65536];
  for (;;) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(in, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n < 0) {
      perror("recvfrom");
      continue;
    }
    sendto(out, buf, n, 0, (struct sockaddr *)&from, len);
  }
}
