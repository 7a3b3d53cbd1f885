// cli/forget_profile: what logging out leaves in the store, for logout and sessions kill:
// the profile goes, and the only one left becomes current when none is.
#include "cli/forget_profile.hpp"

#include <doctest/doctest.h>

#include "test_util.hpp"

using namespace authctl;

namespace {

store::Credentials with_profiles(const std::vector<std::string>& names, std::string current) {
  store::Credentials credentials;
  for (const auto& name : names) {
    store::Profile p;
    p.kind = store::Kind::nexterm;
    p.url = "https://" + name;
    p.user = "u";
    p.token = std::string(96, 'a');
    credentials.profiles.emplace(name, p);
  }
  credentials.current = std::move(current);
  return credentials;
}

}  // namespace

TEST_CASE("logging out of the current profile, with one left: that one becomes current") {
  auto credentials = with_profiles({"a", "b"}, "a");
  CHECK(cli::remove_logged_out(credentials, "a") == "b");
  CHECK(credentials.current == "b");
  CHECK(credentials.profiles.size() == 1);
}

TEST_CASE("logging out of another profile, with one left and none current: it becomes current") {
  auto credentials = with_profiles({"a", "b"}, "");
  CHECK(cli::remove_logged_out(credentials, "b") == "a");
  CHECK(credentials.current == "a");
}

TEST_CASE("the current profile stays current; with two or more left, none is chosen") {
  auto kept = with_profiles({"a", "b"}, "b");
  CHECK(cli::remove_logged_out(kept, "a") == "");
  CHECK(kept.current == "b");
  auto several = with_profiles({"a", "b", "c"}, "a");
  CHECK(cli::remove_logged_out(several, "a") == "");
  CHECK(several.current.empty());
  auto last = with_profiles({"a"}, "a");
  CHECK(cli::remove_logged_out(last, "a") == "");
  CHECK(last.current.empty());
  CHECK(last.profiles.empty());
  auto absent = with_profiles({"a", "b"}, "");
  CHECK(cli::remove_logged_out(absent, "z") == "");  // nothing removed, nothing chosen
  CHECK(absent.current.empty());
}

TEST_CASE("an unusable current profile stays current; unusable ones do not count") {
  auto credentials = with_profiles({"a", "b"}, "");
  credentials.skipped_current = "broken";
  credentials.skipped.emplace("broken", store::SkippedProfile{"its token is not a JWT", {}});
  CHECK(cli::remove_logged_out(credentials, "a") == "");
  CHECK(credentials.current.empty());
  auto others = with_profiles({"a", "b"}, "a");
  others.skipped.emplace("broken", store::SkippedProfile{"its token is not a JWT", {}});
  CHECK(cli::remove_logged_out(others, "a") == "b");
}

TEST_CASE("forget_profile: removed, kept when the token changed, gone when not there") {
  test_util::TempDir tmp;
  store::Store store(tmp.path() + "/authctl");
  store.update([](store::Credentials& credentials) {
    credentials = with_profiles({"a", "b", "c"}, "a");
    return true;
  });
  const std::string old_token(96, 'f');  // what the server was told to end
  const std::string held(96, 'a');       // what the store holds
  CHECK(cli::forget_profile(store, "a", &old_token).outcome == cli::Forgotten::renewed);
  CHECK(store.load().profiles.count("a") == 1);
  CHECK(store.load().current == "a");

  const cli::Forgotten a = cli::forget_profile(store, "a", &held);
  CHECK(a.outcome == cli::Forgotten::removed);
  CHECK(a.new_current.empty());                                       // b and c are left
  const cli::Forgotten b = cli::forget_profile(store, "b", nullptr);  // --local: any token
  CHECK(b.outcome == cli::Forgotten::removed);
  CHECK(b.new_current == "c");
  CHECK(store.load().current == "c");
  CHECK(cli::forget_profile(store, "b", &held).outcome == cli::Forgotten::gone);
}
