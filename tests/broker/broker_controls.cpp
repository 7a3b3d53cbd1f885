// The test broker's test controls (/_test/...; listed in broker.hpp), the registration of
// every route, and the server hooks that count requests and apply latency, faults, canned
// and hostile answers. Part of Broker::Impl (broker_impl.hpp).
#include <httplib.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <exception>
#include <initializer_list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "broker_impl.hpp"
#include "broker_util.hpp"
#include "hostile.hpp"
#include "nexterm.hpp"

namespace testbroker {

namespace {

using HandlerResponse = httplib::Server::HandlerResponse;

std::string http_date(int64_t t) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

bool is_control(const std::string& path) {
  return path.rfind("/_test/", 0) == 0;
}

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::none:
      return "none";
    case Fault::drop_connection:
      return "drop_connection";
    case Fault::html_error:
      return "html_error";
    case Fault::malformed_json:
      return "malformed_json";
    case Fault::rate_limit:
      return "rate_limit";
    case Fault::blocked:
      return "blocked";
    case Fault::slow_body:
      return "slow_body";
    case Fault::huge_body:
      return "huge_body";
    case Fault::service_unavailable:
      return "service_unavailable";
    case Fault::redirect:
      return "redirect";
  }
  return "none";
}

std::optional<Fault> parse_fault(const std::string& name) {
  for (Fault f : {Fault::none, Fault::drop_connection, Fault::html_error, Fault::malformed_json,
                  Fault::rate_limit, Fault::blocked, Fault::slow_body, Fault::huge_body,
                  Fault::service_unavailable, Fault::redirect}) {
    if (name == fault_name(f)) return f;
  }
  return std::nullopt;
}

}  // namespace

// --- test controls (/_test/...) ---

// Lenient: an empty body is {}; no Content-Type needed (for curl in shell scripts).
std::optional<json> Broker::Impl::control_body(const Request& req, Response& res) {
  if (req.body.empty()) return json::object();
  json j = json::parse(req.body, nullptr, false);
  if (!j.is_object()) {
    send_error(req, res, 400, "Expected a JSON object.");
    return std::nullopt;
  }
  return j;
}

void Broker::Impl::register_routes(httplib::Server& s, Broker& broker) {
  if (opts.kind == Kind::neuron) register_neuron_routes(s);
  register_control_routes(s, broker);
  nexterm->register_control_routes(s);
  // Last: Nexterm answers every other path itself (Express's unknown-route answer).
  if (opts.kind == Kind::nexterm) nexterm->register_api_routes(s);
}

void Broker::Impl::register_neuron_routes(httplib::Server& s) {
  s.Get("/Agent/Account/DomainInfo", [this](const Request& q, Response& r) { domain_info(q, r); });
  s.Post("/Agent/Account/Login", [this](const Request& q, Response& r) { login(q, r); });
  s.Post("/Agent/Account/Create", [this](const Request& q, Response& r) { create(q, r); });
  s.Post("/Agent/Account/VerifyEMail",
         [this](const Request& q, Response& r) { verify(q, r, true); });
  s.Post("/Agent/Account/VerifyPhoneNr",
         [this](const Request& q, Response& r) { verify(q, r, false); });
  s.Post("/Agent/Account/ResendVerificationCodes",
         [this](const Request& q, Response& r) { resend_codes(q, r); });
  s.Post("/Agent/Account/Refresh", [this](const Request& q, Response& r) { refresh(q, r); });
  s.Post("/Agent/Account/Logout", [this](const Request& q, Response& r) { logout(q, r); });
  s.Post("/Agent/Account/Info", [this](const Request& q, Response& r) { info(q, r); });
  s.Post("/Agent/Account/AuthenticateJwt",
         [this](const Request& q, Response& r) { authenticate_jwt(q, r); });
  s.Post("/Agent/Account/QuickLogin",
         [this](const Request& q, Response& r) { agent_quick_login(q, r); });
  s.Post("/Agent/Account/WwwLogin", [this](const Request& q, Response& r) { www_login(q, r); });
  s.Post("/Agent/Account/GetSessionToken",
         [this](const Request& q, Response& r) { get_session_token(q, r); });
  s.Post("/Agent/Account/PrepareRemoteQuickLogin",
         [this](const Request& q, Response& r) { prepare_remote_quick_login(q, r); });
  s.Post("/Agent/Account/RemoteQuickLogin",
         [this](const Request& q, Response& r) { remote_quick_login(q, r); });
  s.Post("/Agent/Account/RemoteReferences",
         [this](const Request& q, Response& r) { remote_references(q, r); });
  s.Post("/Agent/Xmpp/SendTextMessage",
         [this](const Request& q, Response& r) { send_text_message(q, r); });
  s.Post("/QuickLogin", [this](const Request& q, Response& r) { page_quick_login(q, r); });
  s.Post("/ClientEvents", [this](const Request& q, Response& r) { client_events(q, r); });
}

void Broker::Impl::register_control_routes(httplib::Server& s, Broker& broker) {
  Broker* b = &broker;
  auto ok = [](Response& r) { send_json(r, json::object()); };
  s.Post("/_test/accounts", [b, ok](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"user", Type::string, true},
                                        {"password", Type::string, true},
                                        {"email", Type::string, true},
                                        {"enabled", Type::boolean, false}});
    if (!err.empty()) return send_error(q, r, 400, err);
    b->add_neuron_account((*j)["user"], (*j)["password"], (*j)["email"], j->value("enabled", true));
    ok(r);
  });
  s.Post("/_test/apikeys", [b, ok](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err =
        check_schema(*j, {{"key", Type::string, true}, {"secret", Type::string, true}});
    if (!err.empty()) return send_error(q, r, 400, err);
    b->add_api_key((*j)["key"], (*j)["secret"]);
    ok(r);
  });
  s.Get("/_test/counters", [this](const Request&, Response& r) {
    std::lock_guard<std::mutex> lock(mu);
    send_json(r, json(counters));
  });
  s.Post("/_test/reset-counters", [b, ok](const Request&, Response& r) {
    b->reset_counters();
    ok(r);
  });
  s.Get("/_test/clock", [this](const Request&, Response& r) { send_json(r, {{"now", now()}}); });
  s.Post("/_test/clock", [this, b](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"advance", Type::integer, true}});
    if (!err.empty()) return send_error(q, r, 400, err);
    b->advance_clock((*j)["advance"].get<int64_t>());
    send_json(r, {{"now", now()}});
  });
  s.Post("/_test/latency", [b, ok](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"ms", Type::integer, true}});
    if (!err.empty()) return send_error(q, r, 400, err);
    b->set_latency_ms((*j)["ms"].get<int>());
    ok(r);
  });
  s.Post("/_test/fault", [b, ok](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"path", Type::string, true},
                                        {"fault", Type::string, true},
                                        {"times", Type::integer, false}});
    if (!err.empty()) return send_error(q, r, 400, err);
    auto fault = parse_fault((*j)["fault"]);
    if (!fault) return send_error(q, r, 400, "Unknown fault.");
    b->inject_fault((*j)["path"], *fault, j->value("times", 1));
    ok(r);
  });
  s.Post("/_test/answer", [b, ok](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"path", Type::string, true},
                                        {"status", Type::integer, true},
                                        {"body", Type::any, true},
                                        {"times", Type::integer, false}});
    if (!err.empty()) return send_error(q, r, 400, err);
    b->inject_answer((*j)["path"], (*j)["status"], (*j)["body"].dump(), j->value("times", 1));
    ok(r);
  });
  s.Post("/_test/hostile", [b, ok](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"path", Type::string, true},
                                        {"set", Type::any, false},
                                        {"body", Type::string, false},
                                        {"content_type", Type::string, false},
                                        {"headers", Type::any, false},
                                        {"status", Type::integer, false},
                                        {"times", Type::integer, false}});
    if (!err.empty()) return send_error(q, r, 400, err);
    HostileAnswer edit;
    for (const char* key : {"set", "headers"})
      if (j->contains(key) && !(*j)[key].is_object())
        return send_error(q, r, 400, std::string(key) + " is an object.");
    const json set = j->value("set", json::object());
    const json headers = j->value("headers", json::object());
    for (const auto& [pointer, text] : set.items()) {
      if (!text.is_string()) return send_error(q, r, 400, "set values are raw JSON text.");
      edit.set.emplace_back(pointer, text.get<std::string>());
    }
    for (const auto& [name, value] : headers.items()) {
      if (!value.is_string()) return send_error(q, r, 400, "header values are strings.");
      edit.headers[name] = value.get<std::string>();
    }
    if (j->contains("body")) edit.body = (*j)["body"].get<std::string>();
    edit.content_type = j->value("content_type", std::string());
    if (j->contains("status")) edit.status = (*j)["status"].get<int>();
    edit.times = j->value("times", 1);
    b->inject_hostile((*j)["path"], edit);
    ok(r);
  });
  s.Post("/_test/reset-failures", [b, ok](const Request&, Response& r) {
    b->reset_failures();
    ok(r);
  });
  s.Post("/_test/reset-rate-limits", [b, ok](const Request&, Response& r) {
    b->reset_rate_limits();
    ok(r);
  });
  s.Get("/_test/email-code", [b](const Request& q, Response& r) {
    send_json(r, {{"code", b->email_code(q.get_param_value("email"))}});
  });
  s.Get("/_test/phone-code", [b](const Request& q, Response& r) {
    send_json(r, {{"code", b->phone_code(q.get_param_value("phone"))}});
  });
  s.Get("/_test/hosts", [b](const Request&, Response& r) { send_json(r, json(b->hosts_seen())); });
  s.Post("/_test/token", [this](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err =
        check_schema(*j, {{"user", Type::string, true}, {"seconds", Type::integer, false}});
    if (!err.empty()) return send_error(q, r, 400, err);
    int64_t expires = 0;
    std::string jwt;
    {
      std::lock_guard<std::mutex> lock(mu);
      jwt = make_jwt_locked((*j)["user"], j->value("seconds", int64_t{3600}), expires);
    }
    send_json(r, {{"jwt", jwt}, {"expires", expires}});
  });
  s.Post("/_test/quick-login/sign", [b](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"ref", Type::string, true},
                                        {"user", Type::string, true},
                                        {"withToken", Type::boolean, false}});
    if (!err.empty()) return send_error(q, r, 400, err);
    send_json(r, {{"signed",
                   b->sign_quick_login((*j)["ref"], (*j)["user"], j->value("withToken", false))}});
  });
  s.Post("/_test/quick-login/decline", [b](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"ref", Type::string, true}});
    if (!err.empty()) return send_error(q, r, 400, err);
    send_json(r, {{"declined", b->decline_quick_login((*j)["ref"])}});
  });
  s.Post("/_test/remote-petition/sign", [b](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"ref", Type::string, true}, {"user", Type::string, true}});
    if (!err.empty()) return send_error(q, r, 400, err);
    send_json(r, {{"signed", b->sign_remote_petition((*j)["ref"], (*j)["user"])}});
  });
  s.Post("/_test/web-session", [b](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"user", Type::string, true}});
    if (!err.empty()) return send_error(q, r, 400, err);
    send_json(r, {{"cookie", b->web_form_session((*j)["user"])}});
  });
  s.Post("/_test/client-events-wait", [b, ok](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"ms", Type::integer, true}});
    if (!err.empty()) return send_error(q, r, 400, err);
    b->set_client_events_wait_ms((*j)["ms"].get<int>());
    ok(r);
  });
  s.Post("/_test/client-event", [this](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    if (!j->contains("tab") || !(*j)["tab"].is_string() || !j->contains("type") ||
        !(*j)["type"].is_string()) {
      return send_error(q, r, 400, "Expected {tab, type, data?}.");
    }
    std::lock_guard<std::mutex> lock(mu);
    json event = {{"type", (*j)["type"]}, {"data", j->value("data", json(""))}};
    send_json(r, {{"queued", push_event_locked((*j)["tab"], event)}});
  });
  s.Get("/_test/client-tab", [b](const Request& q, Response& r) {
    std::string tab = q.get_param_value("tab");
    send_json(
        r, {{"registered", b->client_tab_registered(tab)}, {"cookie", b->client_tab_cookie(tab)}});
  });
  s.Get("/_test/messages", [b](const Request&, Response& r) {
    json out = json::array();
    for (const SentMessage& m : b->sent_messages()) {
      json j = {{"from", m.from}, {"to", m.to}, {"message", m.message}, {"id", m.id}, {"at", m.at}};
      if (!m.subject.empty()) j["subject"] = m.subject;
      if (!m.language.empty()) j["language"] = m.language;
      out.push_back(j);
    }
    send_json(r, out);
  });
  s.Post("/_test/fail-next-send", [b, ok](const Request&, Response& r) {
    b->fail_next_send();
    ok(r);
  });
  s.Get("/_test/legal-id", [b](const Request& q, Response& r) {
    std::string user = q.get_param_value("user");
    send_json(r, {{"legalId", b->legal_id(user)}});
  });
  s.Post("/_test/remote-references", [b, ok](const Request& q, Response& r) {
    auto j = control_body(q, r);
    if (!j) return;
    std::string err = check_schema(*j, {{"user", Type::string, true},
                                        {"domain", Type::string, true},
                                        {"legalId", Type::string, true}});
    if (!err.empty()) return send_error(q, r, 400, err);
    b->add_remote_reference((*j)["user"], (*j)["domain"], (*j)["legalId"]);
    ok(r);
  });
}

// The next hostile edit queued for `path` (inject_hostile), applied to the route's answer.
void Broker::Impl::apply_hostile_edit(const std::string& path, Response& res) {
  std::optional<HostileAnswer> edit;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = hostile.find(path);
    if (it == hostile.end()) return;
    edit = it->second.front();
    if (--it->second.front().times <= 0) it->second.pop_front();
    if (it->second.empty()) hostile.erase(it);
  }
  int status = res.status;
  std::string body = res.body;
  std::string type = res.get_header_value("Content-Type");
  apply_hostile(*edit, status, body, type);
  res.status = status;
  res.set_content(body, type.c_str());
  // httplib has already set Content-Length from the route's body when this runs.
  res.headers.erase("Content-Length");
  res.headers.emplace("Content-Length", std::to_string(res.body.size()));
  for (const auto& [name, value] : edit->headers) {
    res.headers.erase(name);
    res.headers.emplace(name, value);
  }
}

void Broker::Impl::install_hooks(httplib::Server& s) {
  // Every request counts (faulted and rejected ones too); then latency, then faults.
  // Test controls count under their own path and get neither latency nor faults.
  s.set_pre_routing_handler([this](const Request& req, Response& res) {
    Fault fault = Fault::none;
    std::optional<CannedAnswer> canned;
    int ms = 0;
    bool control = is_control(req.path);
    std::string alias = opts.kind == Kind::nexterm ? nexterm_route_alias(req.path) : "";
    {
      std::lock_guard<std::mutex> lock(mu);
      ++counters[req.path];
      if (!alias.empty()) ++counters[alias];
      if (!control) {
        fault = take_fault_locked(req.path, alias);
        if (auto it = answers.find(req.path); fault == Fault::none && it != answers.end()) {
          canned = it->second.front();
          if (--it->second.front().times <= 0) it->second.pop_front();
          if (it->second.empty()) answers.erase(it);
        }
        ms = latency;
      }
    }
    if (ms > 0) sleep_ms(ms);
    if (canned) {
      res.status = canned->status;
      res.set_content(canned->body, "application/json; charset=utf-8");
      return HandlerResponse::Handled;
    }
    if (fault == Fault::none) return HandlerResponse::Unhandled;
    apply_fault(fault, req, res);
    return HandlerResponse::Handled;
  });
  // httplib's own errors (404, 400 on a bad request line) get a text/plain body.
  s.set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& res) {
    if (!res.body.empty() || res.content_provider_) return HandlerResponse::Unhandled;
    res.set_content(res.status == 404 ? std::string("Not found.") : reason(res.status),
                    "text/plain; charset=utf-8");
    return HandlerResponse::Handled;
  }));
  s.set_exception_handler([](const Request&, Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content("Internal error: " + what, "text/plain; charset=utf-8");
  });
  // The Date header comes from the broker clock, so a moved clock shows in it.
  s.set_post_routing_handler([this](const Request& req, Response& res) {
    res.set_header("Date", http_date(now()));
    if (!is_control(req.path)) apply_hostile_edit(req.path, res);
  });
  s.set_payload_max_length(1024 * 1024);
  s.set_keep_alive_max_count(1000);  // httplib closes after 5 requests by default
  // Node (Nexterm) and most servers send with TCP_NODELAY; without it Nagle and the
  // client's delayed ACK add ~40 ms to every keep-alive answer.
  s.set_tcp_nodelay(true);
}

}  // namespace testbroker
