using RecSys.Engine.Core.Index;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Filters;

/// <summary>
/// A request's filters as a vector-index id filter (ids are catalog ordinals): the ANN search admits only items
/// the request may show, so a selective filter still fills the source's count (HNSW and IVF-PQ switch to an exact
/// scan of the allowed items when they are few: Core's FilterSelectivity). A predicate: the planner samples it, and
/// the exact scan tests it on every item in the index. One instance per pooled request context.
/// </summary>
internal sealed class RequestIdFilter(RequestContext context) : IdFilter
{
    public override bool Allows(long id) => id is >= 0 and <= int.MaxValue && context.PassesHardFilters((int)id);
}
