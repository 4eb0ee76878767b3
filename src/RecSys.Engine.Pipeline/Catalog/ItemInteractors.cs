namespace RecSys.Engine.Pipeline.Catalog;

/// <summary>
/// Who interacted with each item some serving ALS model has no row for (added after training, or trained without events)
/// by a click, a purchase or a rating (not an impression or a dislike), as distinct external user ids, the newest kept
/// when a list is full: what an ALS item fold-in solves the item's row from (<see cref="RecommendationPipeline"/>), under
/// every serving version, whatever its model. Facts about users, not about
/// a model, so they live with the catalog: its snapshot saves them, and the catalog journal holds those added since
/// (<see cref="Serving.CatalogJournal"/>), so a crash loses none. Thread-safe.
/// </summary>
public sealed class ItemInteractors
{
    private readonly Dictionary<int, Entry> _users = [];
    private readonly Lock _lock = new();
    private long _changes;

    /// <summary>Users kept per item unless told otherwise (what <see cref="LiveCatalog"/> keeps).</summary>
    public const int DefaultCapacity = 128;

    public ItemInteractors(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>Users kept per item; a new one past it pushes out the one added first.</summary>
    public int Capacity { get; }

    /// <summary>Items with at least one user.</summary>
    public int ItemCount
    {
        get { lock (_lock) return _users.Count; }
    }

    /// <summary>Additions since the catalog was made: a snapshot save that finds the count it saved has nothing new here.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>Adds <paramref name="user"/> to the item's users; false when it is there already (the list is unchanged).</summary>
    public bool Add(int ordinal, long user) => Add(ordinal, user, out _);

    /// <summary>As <see cref="Add(int, long)"/>, with the item's user count after it (<see cref="CountOf"/>, read under the same lock).</summary>
    public bool Add(int ordinal, long user, out int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        lock (_lock)
        {
            if (!_users.TryGetValue(ordinal, out var entry))
                _users[ordinal] = entry = new Entry(new List<long>(4));
            else if (entry.Users.Contains(user))
            {
                count = entry.Users.Count;
                return false;
            }
            if (entry.Users.Count == Capacity)
                entry.Users.RemoveAt(0);
            entry.Users.Add(user);
            entry.Added++;
            _changes++;
            count = entry.Users.Count;
            return true;
        }
    }

    /// <summary>How many users the item has (at most <see cref="Capacity"/>).</summary>
    public int CountOf(int ordinal)
    {
        lock (_lock)
            return _users.TryGetValue(ordinal, out var entry) ? entry.Users.Count : 0;
    }

    /// <summary>
    /// How many users were ever added to the item's list, those pushed out of a full list included (since the catalog was
    /// made; a restored list counts its users): it keeps growing where <see cref="CountOf"/> stops at the capacity.
    /// </summary>
    public long AddedTo(int ordinal)
    {
        lock (_lock)
            return _users.TryGetValue(ordinal, out var entry) ? entry.Added : 0;
    }

    /// <summary>The item's users, oldest first (empty when none).</summary>
    public long[] UsersOf(int ordinal)
    {
        lock (_lock)
            return _users.TryGetValue(ordinal, out var entry) ? [.. entry.Users] : [];
    }

    /// <summary>Forgets the users of every item <paramref name="drop"/> says; returns how many items it dropped.</summary>
    public int RemoveWhere(Func<int, bool> drop)
    {
        ArgumentNullException.ThrowIfNull(drop);
        lock (_lock)
        {
            int removed = 0;
            foreach (int item in _users.Keys.Where(drop).ToList())
            {
                _users.Remove(item);
                removed++;
            }
            if (removed > 0)
                _changes++;
            return removed;
        }
    }

    /// <summary>Every item with users, by ordinal, with a copy of its list.</summary>
    public (int Ordinal, long[] Users)[] Copy()
    {
        lock (_lock)
            return [.. _users.OrderBy(e => e.Key).Select(e => (e.Key, e.Value.Users.ToArray()))];
    }

    /// <summary>Replaces everything with <paramref name="items"/> (a snapshot's), each list cut to the newest <see cref="Capacity"/>.</summary>
    internal void Restore(IEnumerable<(int Ordinal, long[] Users)> items)
    {
        lock (_lock)
        {
            _users.Clear();
            foreach (var (ordinal, users) in items)
            {
                if (users.Length > 0)
                {
                    var kept = new List<long>(users.AsSpan(Math.Max(0, users.Length - Capacity)).ToArray());
                    _users[ordinal] = new Entry(kept) { Added = kept.Count };
                }
            }
        }
    }

    private sealed class Entry(List<long> users)
    {
        public List<long> Users { get; } = users;

        public long Added { get; set; }
    }
}
