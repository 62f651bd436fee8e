// The order in which a commit writes the aggregator's counter keys: the order RocksDB compares
// their encodings (key_codec.h), computed from the keys' ids instead of from encoded bytes.
//
// Why: an SST file takes its keys in ascending order, so a commit sorts ~10^5 keys. Sorted as
// encoded strings (each allocated), every comparison ran memcmp over the long prefix keys share
// ("d/", the hour, "public.orders", ...): 267M of the 963M instructions the bench log's commit
// took. Sorted by ids as below: 162M. AppendString's escaping
// keeps bytewise order (a NUL inside a text sorts above the terminator), so two keys' bytes
// compare as their fields do, one after another: each text by its rank among the pool's texts
// in byte order, each enum and hour by value.
#pragma once

#include <cstdint>
#include <vector>

#include "store/aggregator_tables.h"

namespace rls_shadow::store {

// rank[id]: the position of pool text `id` among all the pool's texts, in byte order.
std::vector<uint32_t> ByteOrderRanks(const StringPool& pool);

// The numbers of `index`'s keys in the byte order of EncodeDenialKey / EncodeAccessKey, given
// the ranks of the texts they name.
std::vector<uint32_t> DenialKeysInOrder(const DenseIndex<DenialIds>& index,
                                        const std::vector<uint32_t>& rank);
std::vector<uint32_t> AccessKeysInOrder(const DenseIndex<AccessIds>& index,
                                        const std::vector<uint32_t>& rank);

}  // namespace rls_shadow::store
