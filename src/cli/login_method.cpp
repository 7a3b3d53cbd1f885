#include "cli/login_method.hpp"

#include <algorithm>
#include <cctype>

#include "cli/hints.hpp"
#include "core/text.hpp"

namespace authctl::cli {

namespace {

struct MethodFlag {
  const char* flag;
  bool given;
  LoginMethod method;
};

// --passkey and --qr need no secret: a password or TOTP option given with them is a mistake
// worth saying (it would otherwise be silently ignored).
void refuse_secrets_for(const LoginFlags& flags, const char* flag) {
  if (flags.password || flags.totp)
    throw Error(
        ExitCode::usage,
        std::string(flag) + " needs no " + (flags.password ? "password" : "TOTP code"),
        std::string("leave out the ") + (flags.password ? "--password-*" : "--totp-*") + " option");
}

}  // namespace

LoginMethod login_method(const LoginFlags& flags) {
  const MethodFlag methods[] = {
      {"--with-token", flags.with_token, LoginMethod::api_key},
      {"--device", flags.device, LoginMethod::device},
      {"--session-cookie", flags.session_cookie, LoginMethod::session_cookie},
      {"--www", flags.www, LoginMethod::www},
      {"--qr", flags.qr, LoginMethod::qr},
      {"--passkey", flags.passkey, LoginMethod::passkey},
  };
  const MethodFlag* chosen = nullptr;
  for (const MethodFlag& method : methods) {
    if (!method.given) continue;
    if (chosen)  // in CLI11's words, as when it refuses the pair while parsing
      throw Error(ExitCode::usage, std::string(method.flag) + " excludes " + chosen->flag,
                  "give one way to log in");
    chosen = &method;
  }
  if (!chosen) return LoginMethod::password;
  if (chosen->method == LoginMethod::qr || chosen->method == LoginMethod::passkey)
    refuse_secrets_for(flags, chosen->flag);
  if (chosen->method == LoginMethod::qr && flags.kind == store::Kind::nexterm)
    throw Error(ExitCode::usage, "--qr is the Neuron's Quick Login",
                "for Nexterm, use --device (or --passkey)");
  if (chosen->method == LoginMethod::passkey && flags.kind == store::Kind::neuron)
    throw Error(ExitCode::usage, "--passkey is a Nexterm login",
                "for a Neuron, use --qr or a password");
  return chosen->method;
}

std::optional<ExpectedKind> expected_kind(const NeuronVariables& used,
                                          const store::Credentials& credentials,
                                          const std::string& name, const std::string& origin) {
  if (used.password)
    return ExpectedKind{store::Kind::neuron, "the password comes from NEURON_PASSWORD"};
  if (used.host) return ExpectedKind{store::Kind::neuron, "the host comes from NEURON_HOST"};
  if (used.user) return ExpectedKind{store::Kind::neuron, "the user comes from NEURON_USER"};
  // The first profile on that URL, unless the one named `name` is there too.
  std::optional<ExpectedKind> expected;
  for (const auto& [profile_name, profile] : credentials.profiles) {
    if (profile.url != origin || (expected && profile_name != name)) continue;
    expected = ExpectedKind{profile.kind, "profile " + profile_name + " on " + origin +
                                              " was made with a " + store::kind_name(profile.kind)};
  }
  return expected;
}

bool valid_totp_format(const std::string& code) {
  return code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) {
           return isdigit(static_cast<unsigned char>(c));
         });
}

const char* totp_wait_reason(int64_t seconds_left, const std::string& code) {
  if (seconds_left < 3) return "fewer than 3 s are left in this one";
  if (!code.empty() && code[0] == '0') return "this code starts with 0, which the server rejects";
  return nullptr;
}

Error nexterm_login_refusal(int code, const std::string& message, const HostSpec& host,
                            const std::optional<std::string>& sent_code, bool computed) {
  const std::string& authority = host.authority;
  switch (code) {
    case 201:
      return Error(ExitCode::auth, text::with_server_text("wrong user name or password", message),
                   "check the user name and password");
    case 203: {
      std::string hint = "check the device clock and use the current code";
      if (sent_code && !sent_code->empty() && (*sent_code)[0] == '0')
        hint =
            "the code started with 0, which this Nexterm version always rejects (a server "
            "bug); wait for the next code and try again";
      else if (computed)
        hint = "check that the TOTP secret is right and that this machine's clock is correct";
      return Error(ExitCode::auth,
                   text::with_server_text("the TOTP code was refused by " + authority, message),
                   hint);
    }
    case 202:
      return Error(ExitCode::auth,
                   text::with_server_text("the server still asks for a TOTP code", message),
                   kTotpSourcesHint);
    case 403:
      return Error(ExitCode::auth,
                   text::with_server_text("password login is disabled on " + authority, message),
                   "log in with a device code (authctl device-link" + host_arguments(host.origin) +
                       ") or a passkey (authctl login --passkey)");
    default:
      return Error(
          ExitCode::error,
          text::with_server_text(
              "login refused by " + authority + " with code " + std::to_string(code), message),
          "see the server's logs or retry");
  }
}

int password_retypes(store::Kind kind) {
  return kind == store::Kind::neuron ? 1 : 2;
}

bool wrong_password(const Error& error) {
  return error.reason() == Reason::wrong_password || error.reason() == Reason::wrong_www_password;
}

std::optional<store::Kind> kind_of_method(LoginMethod method) {
  switch (method) {
    case LoginMethod::www:
    case LoginMethod::qr:
    case LoginMethod::session_cookie:
      return store::Kind::neuron;
    case LoginMethod::api_key:
    case LoginMethod::device:
    case LoginMethod::passkey:
      return store::Kind::nexterm;
    case LoginMethod::password:
      break;
  }
  return std::nullopt;
}

const char* method_option(LoginMethod method) {
  switch (method) {
    case LoginMethod::www:
      return "--www";
    case LoginMethod::qr:
      return "--qr";
    case LoginMethod::session_cookie:
      return "--session-cookie";
    case LoginMethod::api_key:
      return "--with-token";
    case LoginMethod::device:
      return "--device";
    case LoginMethod::passkey:
      return "--passkey";
    case LoginMethod::password:
      break;
  }
  return "a password";
}

}  // namespace authctl::cli
