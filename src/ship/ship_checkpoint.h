// ShipCheckpoint: how far `rls-shadow ship --log` has produced, as a small text file written
// atomically (a temporary file, fsync, rename), so a reader sees the old or the new checkpoint,
// never half of one, whenever the process dies.
//
//   rls-shadow-ship-checkpoint 1
//   partition <partition> <end offset of the log topic when the checkpoint was taken>
//   file <identity> <offset: every line before it is acknowledged> <path when last seen>
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "rls_shadow/status.h"
#include "ship/ship_producer.h"

namespace rls_shadow::ship {

struct ShipCheckpoint {
  struct FileMark {
    uint64_t offset = 0;
    std::string path;
  };
  std::map<std::string, FileMark> files;  // by file identity
  PartitionOffsets topic_end;
};

// Reads `path` into *out. A missing file is an empty checkpoint (the first start); a file that
// does not parse is an error (better stop than ship everything again).
Status LoadShipCheckpoint(const std::string& path, ShipCheckpoint* out);
// Replaces `path` atomically. Errors: cannot write, sync or rename.
Status SaveShipCheckpoint(const std::string& path, const ShipCheckpoint& checkpoint);

}  // namespace rls_shadow::ship
