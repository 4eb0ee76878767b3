using RecSys.Engine.Core.Index;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Filters;

/// <summary>
/// A request's filters as a vector-index id filter (ids are catalog ordinals): the ANN search admits only items
/// the request may show, so a selective filter still fills the source's count (HNSW switches to an exact scan of
/// the allowed items when they are few). One instance per pooled request context.
/// </summary>
internal sealed class RequestIdFilter(RequestContext context) : IdFilter
{
    public override bool Allows(long id) => id is >= 0 and <= int.MaxValue && context.PassesHardFilters((int)id);
}
