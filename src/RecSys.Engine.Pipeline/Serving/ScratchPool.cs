namespace RecSys.Engine.Pipeline.Serving;

/// <summary>A small bounded pool of request scratches (a lock around a stack: the critical section is two moves).</summary>
internal sealed class ScratchPool(int limit)
{
    private readonly Stack<RequestScratch> _free = new();

    public RequestScratch Rent()
    {
        lock (_free)
        {
            if (_free.TryPop(out var s))
                return s;
        }
        return new RequestScratch();
    }

    public void Return(RequestScratch scratch)
    {
        lock (_free)
        {
            if (_free.Count < limit)
                _free.Push(scratch);
        }
    }
}
