#include "cli/help_format.hpp"

#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "cli/man_text.hpp"
#include "term/tty.hpp"

namespace authctl::cli {

namespace {

constexpr size_t kOptionColumn = 30;  // where option texts start, as CLI11 puts them
constexpr size_t kMaxWidth = 100;     // wider help is hard to read

}  // namespace

std::string command_path(const CLI::App* app) {
  std::string path;
  for (; app && app->get_parent(); app = app->get_parent())
    path = app->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

HelpFormatter::HelpFormatter(size_t width) : width_(std::min(width, kMaxWidth)) {
  column_width(kOptionColumn);
}

const CommandHelp* HelpFormatter::help_of(const CLI::App* app) const {
  const std::string path = command_path(app);
  for (const auto& help : command_help())
    if (help.path == path) return &help;
  return nullptr;
}

// CLI11's layout, with one blank line between option groups (its own puts two).
std::string HelpFormatter::make_help(const CLI::App* app, std::string name,
                                     CLI::AppFormatMode mode) const {
  if (mode == CLI::AppFormatMode::Sub) return CLI::Formatter::make_help(app, name, mode);
  std::string out = make_description(app) + make_usage(app, name) + make_positionals(app);
  for (const std::string& group : app->get_groups()) {
    const auto opts = app->get_options([&group](const CLI::Option* opt) {
      return opt->get_group() == group && opt->nonpositional();
    });
    if (!group.empty() && !opts.empty()) out += make_group(group, false, opts);
  }
  return out + make_subcommands(app, mode) + "\n" + make_footer(app);
}

std::string HelpFormatter::make_description(const CLI::App* app) const {
  std::string out = app->get_description() + "\n";
  if (const CommandHelp* help = help_of(app); help && !help->paragraph.empty())
    out += "\n" + fill_text(help->paragraph, width_, 0);
  return out + "\n";
}

std::string HelpFormatter::make_footer(const CLI::App* app) const {
  std::string out;
  if (const CommandHelp* help = help_of(app); help && !help->examples.empty()) {
    out += "EXAMPLES\n";
    for (const auto& example : help->examples) out += "  $ " + example + "\n";
    out += "\n";
  }
  if (!app->get_footer().empty()) out += fill_text(app->get_footer(), width_, 0) + "\n";
  out += "See man authctl for the full reference.\n";
  return out;
}

std::string HelpFormatter::make_option_opts(const CLI::Option* opt) const {
  std::string out;
  if (opt->get_type_size() != 0 && opt->get_expected_max() != 0 && !opt->get_type_name().empty())
    out += " " + opt->get_type_name();
  if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
  return out;
}

std::string HelpFormatter::entry(const std::string& left, const std::string& text) const {
  const size_t room = width_ > kOptionColumn + 20 ? width_ - kOptionColumn : 40;
  std::string body = fill_text(text, room + kOptionColumn, kOptionColumn);
  if (body.empty()) return left + "\n";
  if (left.size() + 1 < kOptionColumn) return body.replace(0, left.size(), left);
  return left + "\n" + body;  // too long for the margin: the text starts below it
}

std::string HelpFormatter::make_option(const CLI::Option* opt, bool is_positional) const {
  std::string desc = make_option_desc(opt);
  if (!opt->get_envname().empty() && desc.find(opt->get_envname()) == std::string::npos)
    desc += " (or " + opt->get_envname() + ")";
  return entry("  " + make_option_name(opt, is_positional) + make_option_opts(opt), desc);
}

std::string HelpFormatter::make_subcommand(const CLI::App* sub) const {
  return entry("  " + sub->get_display_name(), sub->get_description());
}

std::string HelpFormatter::make_group(std::string group, bool is_positional,
                                      std::vector<const CLI::Option*> opts) const {
  std::string out = "\n" + group + ":\n";
  const std::string one_of = "(one of)";
  if (group.size() > one_of.size() &&
      group.compare(group.size() - one_of.size(), one_of.size(), one_of) == 0) {
    std::string choices;
    for (const CLI::Option* opt : opts)
      choices += (choices.empty() ? "" : " | ") + opt->get_name() + make_option_opts(opt);
    out += fill_text(choices, width_, 2);
  }
  for (const CLI::Option* opt : opts) out += make_option(opt, is_positional);
  return out;
}

void use_help_formatter(CLI::App& app) {
  const size_t columns = term::terminal_columns(STDOUT_FILENO);
  app.formatter(std::make_shared<HelpFormatter>(columns ? columns : 80));
}

}  // namespace authctl::cli
