using System.Collections.Concurrent;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Experiments;

/// <summary>
/// The recent responses of experiment traffic by request id, so that a click event carrying a request id is
/// credited to the variant that showed the item. Bounded: a ring of the last <c>capacity</c> responses
/// (<see cref="Serving.PipelineOptions.AttributionCapacity"/>); adding one more forgets the oldest, so memory stays
/// fixed however long the server runs (a click on a response that old is recorded as an event but not attributed).
/// Thread-safe; one small entry per response, which keeps the response's item array (no copy).
/// </summary>
internal sealed class RequestAttribution
{
    private readonly ConcurrentDictionary<string, Shown> _byRequest;
    private readonly Shown?[] _ring;
    private long _added;

    public RequestAttribution(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new Shown?[capacity];
        _byRequest = new ConcurrentDictionary<string, Shown>(StringComparer.Ordinal);
    }

    /// <summary>Responses remembered now.</summary>
    public int Count => _byRequest.Count;

    /// <summary>Remembers what <paramref name="requestId"/> showed <paramref name="userId"/> under <paramref name="variant"/>.</summary>
    public void Add(string requestId, long userId, RecommendedItem[] items, VariantCounters variant)
    {
        var shown = new Shown(requestId, userId, items, variant);
        _byRequest[requestId] = shown;
        long slot = (Interlocked.Increment(ref _added) - 1) % _ring.Length;
        var evicted = Interlocked.Exchange(ref _ring[slot], shown);
        // Only the very entry that left the ring: a request id reused since then keeps its newer entry.
        if (evicted is not null)
            _byRequest.TryRemove(new KeyValuePair<string, Shown>(evicted.RequestId, evicted));
    }

    /// <summary>Responses the window holds at most.</summary>
    public int Capacity => _ring.Length;

    /// <summary>
    /// Credits a click on <paramref name="itemId"/> by <paramref name="userId"/> to the variant that showed it in
    /// <paramref name="requestId"/>; not when the request is unknown (not experiment traffic, or forgotten), was
    /// another user's or did not show the item, nor a second time for the same shown item.
    /// </summary>
    public AttributionOutcome Click(string requestId, long userId, long itemId)
    {
        if (!_byRequest.TryGetValue(requestId, out var shown) || shown.UserId != userId)
            return AttributionOutcome.NotAttributed;
        return shown.Click(itemId);
    }

    private sealed class Shown(string requestId, long userId, RecommendedItem[] items, VariantCounters variant)
    {
        private readonly Lock _lock = new();
        private ulong[]? _clicked;

        public string RequestId { get; } = requestId;

        public long UserId { get; } = userId;

        public AttributionOutcome Click(long itemId)
        {
            int position = -1;
            for (int i = 0; i < items.Length; i++)
            {
                if (items[i].ItemId == itemId)
                {
                    position = i;
                    break;
                }
            }
            if (position < 0)
                return AttributionOutcome.NotAttributed;
            lock (_lock)
            {
                _clicked ??= new ulong[(items.Length + 63) / 64];
                ulong bit = 1UL << (position & 63);
                if ((_clicked[position >> 6] & bit) != 0)
                    return AttributionOutcome.AlreadyCredited;
                _clicked[position >> 6] |= bit;
            }
            Interlocked.Increment(ref variant._clicks);
            return AttributionOutcome.Credited;
        }
    }
}
