// audit/detail/accepted_duplicates.h: near-duplicates of accepted rows among the rows of a new
// batch (incremental audits), an exact cosine query of one sparse matrix against another.
#pragma once

#include <cstdint>
#include <vector>

#include "text/sparse.h"

namespace textaudit::audit::detail {

struct AcceptedMatch {
  std::int64_t row = -1;  // accepted row
  double cosine = 0.0;
};

// For each row of the batch B, the row of the accepted rows A it nearly duplicates (cosine >=
// min_cosine; row -1 if none): the most similar one with another label if any (a conflict matters
// more than a repeat), else the most similar one; ties by the lower accepted row. ya / yb: class
// ids of A's / B's rows. Exact: B is indexed (postings per column); each row of A probes it with
// the prefix of its columns, rarest in A first, until the rest's norm could no longer reach
// min_cosine, so any pair at or above min_cosine shares a probed column; candidates get an exact
// cosine. Rows need not be normalised; zero rows match nothing.
std::vector<AcceptedMatch> match_accepted(const text::CsrMatrix& A, const std::vector<int>& ya,
                                          const text::CsrMatrix& B, const std::vector<int>& yb, double min_cosine,
                                          int n_threads);

}  // namespace textaudit::audit::detail
