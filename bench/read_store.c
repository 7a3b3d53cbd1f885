/* The baseline of bench/token_cache_hit: a C program that only reads the credential store
 * (open, read, write the bytes to stdout). authctl's cache hit must stay within 1.5x of it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
  const char* dir = getenv("AUTHCTL_CONFIG_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/credentials.json", dir ? dir : ".");
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 1;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    if (write(STDOUT_FILENO, buf, (size_t)n) != n) return 1;
  close(fd);
  return 0;
}
