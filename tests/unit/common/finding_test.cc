#include "rls_shadow/finding.h"

#include <gtest/gtest.h>

namespace rls_shadow {

TEST(FindingNames, EveryEffectRoundTrips) {
  for (Effect e : {Effect::kAllow, Effect::kError, Effect::kFiltered, Effect::kRowDependent,
                   Effect::kIndeterminate}) {
    Effect back;
    ASSERT_TRUE(ParseEffect(EffectName(e), &back)) << EffectName(e);
    EXPECT_EQ(back, e);
  }
}

TEST(FindingNames, CausesUseTheDesignNames) {
  EXPECT_EQ(CauseName(Cause::kContextLostAutocommit), "context_lost_autocommit");
  EXPECT_EQ(CauseName(Cause::kOwnerBypassLost), "owner_bypass_lost");
  Cause c;
  EXPECT_TRUE(ParseCause("stale_context", &c));
  EXPECT_EQ(c, Cause::kStaleContext);
  EXPECT_FALSE(ParseCause("no_such_cause", &c));
}

}  // namespace rls_shadow
