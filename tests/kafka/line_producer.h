// ProduceLines: a file's lines to a topic, one message a line, keyed by a top-level JSON field
// of the line (session_id for jsonlog, xid for wal2json); lines without it get no key. How
// tests and benchmarks replay a recorded workload into Kafka.
#pragma once

#include <cstdint>
#include <string>

#include "rls_shadow/status.h"

namespace rls_shadow::testing {

Status ProduceLines(const std::string& brokers, const std::string& topic,
                    const std::string& key_field, const std::string& path, uint64_t* produced);

}  // namespace rls_shadow::testing
