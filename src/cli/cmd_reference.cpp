// pgshape reference: documentation generated from pgshape's own tables — the
// profile reference (the parser's key table), the command reference (the
// option table), the error codes (kErrorCodes), the man page and completion.
#include <fmt/format.h>

#include "commands.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"

namespace pgshape::cli {

int run_reference_command(const Args& args) {
  std::vector<ReferenceTopic> topics;
  if (args.flag(Opt::kCommands)) topics.push_back(ReferenceTopic::kCommands);
  if (args.flag(Opt::kErrors)) topics.push_back(ReferenceTopic::kErrors);
  if (args.flag(Opt::kMan)) topics.push_back(ReferenceTopic::kMan);
  if (args.given(Opt::kCompletion))
    topics.push_back(args.text(Opt::kCompletion) == "zsh" ? ReferenceTopic::kZsh
                                                          : ReferenceTopic::kBash);
  if (topics.size() > 1)
    throw UsageError("usage.bad-option",
                     "reference: --commands, --errors, --man and --completion each print a "
                     "document of their own: give one");
  fmt::print("{}", reference_text(topics.empty() ? ReferenceTopic::kProfile : topics.front()));
  return 0;
}

}  // namespace pgshape::cli
