/* The baseline of bench/token_watch.cpp: a bare libcurl program that makes the Refresh
 * request a watcher makes (POST /Agent/Account/Refresh with the bearer token), then prints
 * its own peak RSS (VmHWM, kB) on stdout. Usage: refresh_curl URL TOKEN_FILE */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static size_t discard(char* data, size_t size, size_t count, void* user) {
  (void)data;
  (void)user;
  return size * count;
}

static long peak_rss_kb(void) {
  FILE* status = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (status && fgets(line, sizeof line, status))
    if (strncmp(line, "VmHWM:", 6) == 0) sscanf(line + 6, "%ld", &kb);
  if (status) fclose(status);
  return kb;
}

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  char token[4096] = {0}, header[4200], url[1024];
  FILE* file = fopen(argv[2], "r");
  if (!file || !fgets(token, sizeof token, file)) return 2;
  fclose(file);
  snprintf(header, sizeof header, "Authorization: Bearer %s", token);
  snprintf(url, sizeof url, "%s/Agent/Account/Refresh", argv[1]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* curl = curl_easy_init();
  struct curl_slist* headers = curl_slist_append(NULL, header);
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "{\"seconds\":60}");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  const CURLcode result = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  curl_global_cleanup();
  printf("%ld %ld\n", status, peak_rss_kb());
  return result == CURLE_OK && status == 200 ? 0 : 1;
}
