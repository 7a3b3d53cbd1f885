// What each command's --help says beyond its options: the default flow in a paragraph and
// a few real invocations. Kept in one table, in the order of the command tree, so that a
// test can check that every command has them (tests/e2e/help_test.cpp).
#include "cli/help_format.hpp"

namespace authctl::cli {

namespace {

// A table, not code: the one long definition of the program.
const std::vector<CommandHelp> kCommandHelp = {
    {"",
     "authctl logs you in to TAG Neuron brokers and Nexterm servers, keeps each session as a "
     "profile in a private store (~/.config/authctl), and hands out tokens that are valid "
     "for as long as you need. Start with authctl login; authctl help COMMAND explains a "
     "command, and authctl help exit-codes, environment, files or json the rest.",
     {"authctl login --host neuron.example.com -u alice", "authctl token --min-valid 5m",
      "authctl status", "authctl help login"}},
    {"login",
     "Logs in and stores the session as a profile named USER@HOST (or -p NAME). By default "
     "it asks for the password without echo (Neuron: a signed login, the password never "
     "leaves this machine; Nexterm: then the TOTP code, if the account has one). The server "
     "kind is detected. Use one of --qr (scan with the Neuron app), --device (a Nexterm "
     "device code), --passkey, --with-token (a Nexterm API key on stdin), --session-cookie "
     "or --www instead of a password. For CI, give the password with --password-stdin, "
     "--password-file or AUTHCTL_PASSWORD; a plain-http server needs --host "
     "http://HOST:PORT.",
     {"authctl login --host neuron.example.com -u alice",
      "printf %s \"$NEURON_PASSWORD\" | authctl login --host neuron.example.com -u ci "
      "--password-stdin",
      "authctl login --host neuron.example.com --qr",
      "authctl login --host nexterm.example.com -u admin --totp-secret-file ~/.totp"}},
    {"logout",
     "Ends the session on its server, then removes the profile (the one in use, -p NAME, or "
     "every one with --all). When the server cannot be reached the profile is kept; "
     "--local forgets it without asking the server.",
     {"authctl logout", "authctl logout -p test", "authctl logout --all",
      "authctl logout --local -p old"}},
    {"refresh",
     "Exchanges the Neuron token for a new one now, for the lifetime the profile was logged "
     "in with. authctl token and exec refresh by themselves when needed: this is for when "
     "you want it done now. Nexterm sessions do not expire.",
     {"authctl refresh", "authctl -p test refresh"}},
    {"whoami",
     "Asks the server who the profile's account is (Neuron Account/Info, Nexterm "
     "/api/accounts/me) and shows it: user, e-mail, phone, times.",
     {"authctl whoami", "authctl whoami --json"}},
    {"token",
     "Prints the profile's token, refreshed first (or logged in again, with a password "
     "available without a prompt) unless it stays valid for --min-valid. It reads only the "
     "store when the token is fresh, which makes it fast enough to call before every "
     "request. With --watch --sink FILE it is a sidecar for a service: it keeps FILE (the "
     "token alone, 0600 or --sink-mode 0640, replaced atomically) holding a token valid for "
     "--min-valid (default 5m), renewing once less than max(--min-valid, a third of the "
     "token's lifetime) is left, until SIGTERM (exit 0) or SIGINT (130) removes it. When the "
     "token cannot be kept fresh the file is removed at once: exit 4, or 3 after a network "
     "outage that lasted until the token expired.",
     {"curl -H \"Authorization: Bearer $(authctl token)\" https://neuron.example.com/...",
      "authctl token --min-valid 5m", "authctl -p test token",
      "authctl token --watch --sink /run/myservice/token --sink-mode 0640 --min-valid 10m"}},
    {"status",
     "Lists every profile: kind, URL, user and when its token expires; the current one is "
     "marked. --check asks each server whether it still accepts the token.",
     {"authctl status", "authctl status --check", "authctl status --names"}},
    {"switch",
     "Makes PROFILE the current profile, the one commands use without -p.",
     {"authctl switch alice@neuron.example.com", "authctl switch test"}},
    {"device-link",
     "Nexterm: logs this machine in with a device code. It shows a code (and a QR code on a "
     "terminal) to approve in the Nexterm web UI or app, or with authctl device-link "
     "approve CODE on a machine that is logged in, then waits and stores the session.",
     {"authctl device-link --host nexterm.example.com",
      "authctl device-link --host nexterm.example.com --show-qr never --wait 2m"}},
    {"device-link approve",
     "Nexterm: shows the device that is waiting with CODE, asks you to confirm, and "
     "authorizes it with this profile's session.",
     {"authctl device-link approve ABCD-EFGH", "authctl device-link approve ABCD-EFGH --yes"}},
    {"device-link status",
     "Nexterm: shows the state of a device code (pending, authorized, claimed or gone).",
     {"authctl device-link status ABCD-EFGH", "authctl device-link status ABCD-EFGH --json"}},
    {"device-link phone",
     "Nexterm: links the Nexterm mobile app to this session: it shows a QR code for the app "
     "to scan and waits until the app has claimed it.",
     {"authctl device-link phone", "authctl device-link phone --wait 2m"}},
    {"sessions",
     "Nexterm: the account's sessions (list, kill).",
     {"authctl sessions list", "authctl sessions kill --others"}},
    {"sessions list",
     "Nexterm: lists the account's sessions with their id, address, client and last "
     "activity; the one this profile uses is marked.",
     {"authctl sessions list", "authctl sessions list --json"}},
    {"sessions kill",
     "Nexterm: ends sessions by id, every other one (--others) or those idle for a while "
     "(--idle-for). It shows them and asks before killing; --dry-run only shows, --yes does "
     "not ask.",
     {"authctl sessions kill 12 14", "authctl sessions kill --idle-for 30d --dry-run",
      "authctl sessions kill --others --yes"}},
    {"passkey",
     "Nexterm: passkeys for logging in without a password (add, list, rename, remove).",
     {"authctl passkey add --name laptop", "authctl passkey list"}},
    {"passkey add",
     "Nexterm: makes a P-256 key, registers it as a passkey of this account, and keeps the "
     "key in a private file (optionally sealed with a passphrase); then log in with "
     "authctl login --passkey.",
     {"authctl passkey add --name laptop",
      "authctl passkey add --name ci --passphrase-file ~/.passkey-pass"}},
    {"passkey list",
     "Nexterm: lists this account's passkeys and which of them has a key file here.",
     {"authctl passkey list", "authctl passkey list --json"}},
    {"passkey rename",
     "Nexterm: gives a passkey a new name.",
     {"authctl passkey list", "authctl passkey rename 3 \"work laptop\""}},
    {"passkey remove",
     "Nexterm: deletes a passkey on the server and its key file here (--local: only the "
     "file).",
     {"authctl passkey remove 3", "authctl passkey remove 3 --local"}},
    {"apikey",
     "Nexterm: API keys for scripts and CI (create, list, revoke).",
     {"authctl apikey create ci --expires 90d", "authctl apikey list"}},
    {"apikey create",
     "Nexterm: creates an API key and prints it once on stdout (store it with authctl login "
     "--with-token, or in your CI's secrets).",
     {"(umask 077; authctl apikey create ci-runner --expires 90d > ci-key.txt)",
      "authctl login --host nexterm.example.com --with-token < ci-key.txt"}},
    {"apikey list",
     "Nexterm: lists the account's API keys: id, name, prefix, expiry, last use.",
     {"authctl apikey list", "authctl apikey list --json"}},
    {"apikey revoke",
     "Nexterm: revokes an API key by id; it stops working at once.",
     {"authctl apikey list", "authctl apikey revoke 7"}},
    {"account",
     "Neuron: create accounts and verify their e-mail and phone (create, verify-email, "
     "verify-phone, resend-codes).",
     {"authctl account create --host neuron.example.com -u bob --email bob@example.com",
      "authctl account verify-email 123456"}},
    {"account create",
     "Neuron: creates an account with the operator's API key and secret, and stores its "
     "session as a profile. The account stays disabled until its e-mail (and phone) are "
     "verified with the codes the broker sends. The password is asked without echo.",
     {"authctl account create --host neuron.example.com -u bob --email bob@example.com "
      "--api-key KEY --api-secret-file secret.txt",
      "authctl account verify-email 123456"}},
    {"account verify-email",
     "Neuron: enters the code the broker sent to the account's e-mail address.",
     {"authctl account verify-email 123456",
      "authctl -p bob@neuron.example.com account "
      "verify-email 123456"}},
    {"account verify-phone",
     "Neuron: enters the code the broker sent to the account's phone.",
     {"authctl account verify-phone 123456", "authctl account resend-codes"}},
    {"account resend-codes",
     "Neuron: asks the broker to send new verification codes.",
     {"authctl account resend-codes", "authctl account verify-email 123456"}},
    {"remote-quick-login",
     "Neuron: logs in on another Neuron (--remote) with this account: the remote sends a "
     "petition that you sign in the Neuron app, and authctl keeps the remote's web session "
     "for this profile.",
     {"authctl remote-quick-login --remote other.example.com",
      "authctl remote-quick-login --remote other.example.com --wait 2m"}},
    {"send-message",
     "Neuron: sends an XMPP text message from this account to --to and prints its id.",
     {"authctl send-message --to bob@neuron.example.com \"build 42 is green\"",
      "echo done | authctl send-message --to bob@neuron.example.com -"}},
    {"exec",
     "Runs CMD with a fresh token in AUTHCTL_TOKEN (and AUTHCTL_HOST, AUTHCTL_USER, "
     "AUTHCTL_KIND), refreshed first when it would not stay valid for --min-valid. CMD "
     "comes after --; the account's secrets are not passed on; authctl exits with CMD's "
     "exit code. With --keep-fresh authctl stays CMD's parent and keeps AUTHCTL_TOKEN_FILE, a "
     "private file, holding a token valid for at least --min-valid (default 5m) while CMD "
     "runs, for jobs longer than a token lives.",
     {"authctl exec -- ./deploy.sh", "authctl exec --min-valid 10m -- make upload",
      "authctl exec --keep-fresh -- ./nightly-sync.sh"}},
    {"api",
     "Calls the profile's own server with its token (refreshed when needed) and prints the "
     "answer: PATH is a path, or a URL of that same server; the token never goes "
     "elsewhere. -f KEY=VALUE builds a JSON body, --input FILE sends one.",
     {"authctl api /Agent/Account/Info -X POST", "authctl api /api/accounts/me",
      "authctl api /api/sessions -i"}},
    {"verify-jwt",
     "Neuron: asks the broker whether the stored token (or one read from stdin with -) is "
     "valid, and shows its claims.",
     {"authctl verify-jwt", "printf %s \"$TOKEN\" | authctl verify-jwt -"}},
    {"completion",
     "Prints the completion script for bash, zsh or fish.",
     {"source <(authctl completion bash)", "authctl completion zsh > ~/.zfunc/_authctl",
      "authctl completion fish > ~/.config/fish/completions/authctl.fish"}},
    {"help",
     "Shows the help of authctl or of a command (the same as --help), or a topic from the "
     "man page: exit-codes, environment, files, json (the --json documents).",
     {"authctl help login", "authctl help sessions kill", "authctl help exit-codes"}},
};

}  // namespace

const std::vector<CommandHelp>& command_help() {
  return kCommandHelp;
}

}  // namespace authctl::cli
