// pgshape reference: every profile key and distribution, as Markdown — the
// same table the parser checks profiles against.
#include <fmt/format.h>

#include "commands.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::cli {

void add_reference_command(CLI::App& app, GlobalOptions&, Action& action) {
  auto* command = app.add_subcommand("reference", "print the profile reference (Markdown)");
  command->callback([&action] {
    action = [] {
      fmt::print("{}", profile_reference_markdown());
      return 0;
    };
  });
}

}  // namespace pgshape::cli
