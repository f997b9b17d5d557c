// The VACUUM after a COPY FREEZE (copy_sink.hpp), and why it leaves no tail.
//
// VACUUM truncates only when the empty end is 1000 pages or a sixteenth of the
// table, counted from the last page it saw rows on. It skips every run of 32 or
// more all-frozen pages (all a COPY FREEZE wrote) but never the last page, so
// on a table of that size it sees rows on no page, always tries, and then finds
// the true end reading backwards. A smaller table it reads whole (the pages are
// in cache, just written), and its tail is then at least a sixteenth of it, but
// for 31 full pages and one empty. PostgreSQL 15 extends page by page and
// leaves no tail: there this only reads the visibility map and the last page,
// so one path serves every server.
#include <fmt/format.h>

#include "load/copy_sink.hpp"

namespace pgshape::load {

void vacuum_frozen(RawConnection& connection, std::string_view schema, std::string_view table) {
  // TRUNCATE spelled out: the tail is the point, whatever the server's
  // defaults. The table has no index yet: nothing for index cleanup.
  connection.exec(
      fmt::format("VACUUM (TRUNCATE true, INDEX_CLEANUP off) {}", qualified(schema, table)));
}

}  // namespace pgshape::load
