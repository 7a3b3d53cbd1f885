// A real Secret Service for the keyring tests: gnome-keyring-daemon, unlocked, inside a
// private dbus-run-session whose HOME and XDG_* folders are temporary. Nothing of the
// desktop the tests run on is touched (no session bus of the user's, no keyring file).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "fixture.hpp"

namespace e2e {

class KeyringSession {
 public:
  enum class Mode {
    unlocked,    // gnome-keyring-daemon with an unlocked login collection
    no_service,  // a session bus on which nothing provides org.freedesktop.secrets
    silent,      // a bus whose policy drops every reply: a client's handshake never ends
  };

  explicit KeyringSession(Mode mode = Mode::unlocked) {
    for (const char* sub : {"/home", "/data", "/config", "/run"})
      std::filesystem::create_directories(root_.path() + sub);
    chmod((root_.path() + "/run").c_str(), 0700);
    start(mode);
  }
  ~KeyringSession() {
    if (pid_ > 0) {
      if (keyring_pid_ > 0) kill(keyring_pid_, SIGCONT);
      kill(-pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  KeyringSession(const KeyringSession&) = delete;
  KeyringSession& operator=(const KeyringSession&) = delete;

  const std::string& bus() const { return bus_; }
  int keyring_pid() const { return keyring_pid_; }
  // The environment a program needs to reach this session's keyring.
  std::map<std::string, std::string> env() const {
    return {{"DBUS_SESSION_BUS_ADDRESS", bus_}, {"XDG_RUNTIME_DIR", root_.path() + "/run"}};
  }

  // secret-tool ARGS... against this keyring.
  Result secret_tool(const std::vector<std::string>& args, const std::string& input = {}) const {
    return run_program("/usr/bin/secret-tool", args, env(), input);
  }
  // Every item of authctl's schema, as secret-tool prints them (secrets included).
  std::string authctl_items() const {
    // secret-tool prints the attributes on stderr, the label and secret on stdout.
    const Result r =
        secret_tool({"search", "--all", "--unlock", "xdg:schema", "org.authctl.Profile"});
    return r.out + r.err;
  }
  // Locks the login collection, as a screen lock would.
  void lock() const {
    const Result r = run_program("/usr/bin/dbus-send",
                                 {"--session", "--print-reply", "--dest=org.freedesktop.secrets",
                                  "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
                                  "array:objpath:/org/freedesktop/secrets/collection/login"},
                                 env());
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

 private:
  void start(Mode mode) {
    const std::string root = root_.path();
    std::string script =
        "printf '%s' \"$DBUS_SESSION_BUS_ADDRESS\" > \"$ROOT/bus.tmp\"\n"
        "mv \"$ROOT/bus.tmp\" \"$ROOT/bus\"\n";
    if (mode == Mode::unlocked)
      script +=
          "printf 'test-keyring-password' | gnome-keyring-daemon --foreground --unlock "
          "--components=secrets >/dev/null 2>&1 &\n"
          "echo $! > \"$ROOT/keyring.pid\"\n"
          "for i in $(seq 200); do\n"
          "  dbus-send --session --print-reply --dest=org.freedesktop.DBus / "
          "org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | "
          "grep -q 'boolean true' && break\n"
          "  sleep 0.05\n"
          "done\n";
    script += "touch \"$ROOT/ready\"\nexec sleep 600\n";
    std::vector<std::string> args{"/usr/bin/dbus-run-session"};
    if (mode != Mode::unlocked) {
      write_file(root + "/bus.conf", mode == Mode::silent ? kSilentBusConfig : kBareBusConfig);
      args.push_back("--config-file=" + root + "/bus.conf");
    }
    for (const char* word : {"--", "/bin/sh", "-c"}) args.emplace_back(word);
    args.push_back(script);
    spawn(args);
    wait_ready(mode);
  }

  void spawn(const std::vector<std::string>& args) {
    const std::string root = root_.path();
    ExecVectors vectors(args[0], std::vector<std::string>(args.begin() + 1, args.end()),
                        {{"HOME", root + "/home"},
                         {"XDG_DATA_HOME", root + "/data"},
                         {"XDG_CONFIG_HOME", root + "/config"},
                         {"XDG_RUNTIME_DIR", root + "/run"},
                         {"PATH", "/usr/bin:/bin"},
                         {"ROOT", root}},
                        {});
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      setpgid(0, 0);  // the destructor ends the bus, the daemon and the shell together
      const int quiet = open("/dev/null", O_RDWR);  // dbus-daemon's notes are not the test's
      dup2(quiet, STDIN_FILENO);
      dup2(quiet, STDOUT_FILENO);
      dup2(quiet, STDERR_FILENO);
      execve(args[0].c_str(), vectors.argv(), vectors.envp());
      _exit(127);
    }
    setpgid(pid_, pid_);
  }

  void wait_ready(Mode mode) {
    const std::string root = root_.path();
    for (int i = 0; i < 300 && !std::filesystem::exists(root + "/ready"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE_MESSAGE(std::filesystem::exists(root + "/ready"), "the keyring session did not start");
    bus_ = read_file(root + "/bus");
    if (mode == Mode::unlocked) keyring_pid_ = std::stoi(read_file(root + "/keyring.pid"));
  }

  // A session bus with no service folder: nothing can be activated on it.
  static constexpr const char* kBareBusConfig =
      "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
      " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
      "<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen>"
      "<auth>EXTERNAL</auth><policy context=\"default\">"
      "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/>"
      "<allow own=\"*\"/></policy></busconfig>\n";

  // The same without the receive rule: the bus delivers no reply to anyone.
  static constexpr const char* kSilentBusConfig =
      "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
      " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
      "<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen>"
      "<auth>EXTERNAL</auth><policy context=\"default\"><allow send_destination=\"*\"/>"
      "<allow own=\"*\"/></policy></busconfig>\n";

  TempDir root_;
  pid_t pid_ = -1;
  int keyring_pid_ = -1;
  std::string bus_;
};

// Every file under `dir`, read whole, joined: to show that a token is nowhere in it.
inline std::string all_files_under(const std::string& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) all += read_file(entry.path().string());
  return all;
}

}  // namespace e2e
