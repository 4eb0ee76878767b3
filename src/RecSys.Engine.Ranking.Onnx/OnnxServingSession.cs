using Microsoft.ML.OnnxRuntime;

namespace RecSys.Engine.Ranking.Onnx;

/// <summary>
/// What every ONNX scorer here serves with (the ranker, the two-tower encoders): one session on the chosen provider and
/// <see cref="OnnxRankerOptions.ConcurrentCalls"/> lanes of pre-allocated buffers.
/// <code>
///  Open:  bytes -> session (CUDA | CPU: auto tries CUDA's library, then a session on its device, and says once why it
///         fell back) -> the owner's contract check -> lanes
///  Call:  Acquire (a free lane, else wait on one) -> owner copies in -> Run(lane, rows) -> owner copies out -> Release
/// </code>
/// </summary>
internal sealed class OnnxServingSession<TLane> : IDisposable where TLane : OnnxLane
{
    private readonly SessionOptions _sessionOptions;
    private readonly TLane[] _lanes;

    private OnnxServingSession(InferenceSession session, SessionOptions sessionOptions, string provider, string? fallbackReason, TLane[] lanes)
    {
        Session = session;
        _sessionOptions = sessionOptions;
        Provider = provider;
        FallbackReason = fallbackReason;
        _lanes = lanes;
    }

    public InferenceSession Session { get; }

    /// <summary>"CUDA" or "CPU": where the session runs.</summary>
    public string Provider { get; }

    /// <summary>Why <see cref="OnnxExecutionProvider.Auto"/> fell back to CPU (null when it did not).</summary>
    public string? FallbackReason { get; }

    public IReadOnlyList<TLane> Lanes => _lanes;

    public bool IsDisposed { get; private set; }

    /// <summary>The bytes of the model file at <paramref name="path"/>; a missing file is a FileNotFoundException naming it.</summary>
    public static byte[] ReadModel(string path) =>
        File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"{path}: no such ONNX model file", path);

    /// <summary>
    /// Opens <paramref name="model"/> (sequential, full graph optimisation, <paramref name="options"/>' provider and
    /// threads), checks it with <paramref name="check"/> and makes the lanes with <paramref name="lane"/>; on any failure
    /// everything made so far is disposed. Returns the session and what the check returned.
    /// </summary>
    /// <exception cref="InvalidDataException">ONNX Runtime cannot load the bytes (the message names <paramref name="origin"/>), or the check refuses them.</exception>
    /// <exception cref="InvalidOperationException">CUDA was required and cannot load, or its device cannot run the model.</exception>
    public static (OnnxServingSession<TLane> Session, TContract Contract) Open<TContract>(byte[] model, string origin, OnnxRankerOptions options,
        Func<InferenceSession, TContract> check, Func<InferenceSession, TContract, TLane> lane)
    {
        var sessionOptions = NewSessionOptions(options);
        InferenceSession? session = null;
        var lanes = new TLane[options.ConcurrentCalls];
        try
        {
            var (provider, fallback) = ChooseProvider(sessionOptions, options);
            if (provider == "CUDA")
            {
                try
                {
                    session = QuietOrt(() => new InferenceSession(model, sessionOptions));
                }
                catch (OnnxRuntimeException e)
                {
                    // CUDA's libraries loaded, but the session could not be made on it: the provider only touches the
                    // device here (none visible, a driver too old, a device id that does not exist), or no provider can
                    // load this model. Loading it on CPU tells which; a bad model is then the InvalidDataException below.
                    sessionOptions.Dispose();
                    sessionOptions = NewSessionOptions(options);
                    session = CreateCpuSession(model, origin, sessionOptions);
                    string reason = FirstLine(e.Message);
                    if (options.ExecutionProvider == OnnxExecutionProvider.Cuda)
                        throw new InvalidOperationException($"execution provider 'cuda' was requested but CUDA device {options.CudaDeviceId} cannot run the model on this machine: {reason}", e);
                    options.Log?.Invoke($"onnx ranker: execution provider auto -> CPU, CUDA device {options.CudaDeviceId} unusable: {reason}");
                    (provider, fallback) = ("CPU", reason);
                }
            }
            else
            {
                session = CreateCpuSession(model, origin, sessionOptions);
            }
            TContract contract = check(session);
            for (int i = 0; i < lanes.Length; i++)
                lanes[i] = lane(session, contract);
            return (new OnnxServingSession<TLane>(session, sessionOptions, provider, fallback, lanes), contract);
        }
        catch
        {
            foreach (var made in lanes)
                made?.Dispose();
            session?.Dispose();
            sessionOptions.Dispose();
            throw;
        }
    }

    private static SessionOptions NewSessionOptions(OnnxRankerOptions options) => new()
    {
        IntraOpNumThreads = options.IntraOpThreads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
    };

    private static InferenceSession CreateCpuSession(byte[] model, string origin, SessionOptions sessionOptions)
    {
        try
        {
            return new InferenceSession(model, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{origin}: not an ONNX model ONNX Runtime can load: {e.Message}", e);
        }
    }

    private static readonly Lock QuietGate = new();

    /// <summary>
    /// Runs a CUDA attempt with ONNX Runtime's process-wide log at FATAL, then puts the level back. A CUDA provider that
    /// cannot load (or a device it cannot open) makes ONNX Runtime print its own error line on stderr, whatever the
    /// session's LogSeverityLevel says, beside the one line that <see cref="ChooseProvider"/> or <see cref="Open"/> gives
    /// with the reason. Loads on other threads in that moment log at FATAL too.
    /// </summary>
    private static T QuietOrt<T>(Func<T> attempt)
    {
        lock (QuietGate)
        {
            var env = OrtEnv.Instance();
            var before = env.EnvLogLevel;
            env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            try
            {
                return attempt();
            }
            finally
            {
                env.EnvLogLevel = before;
            }
        }
    }

    /// <summary>A free lane, else (all busy) waits on one; hand it back with <see cref="Release"/>.</summary>
    public TLane Acquire()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        foreach (var lane in _lanes)
        {
            if (Monitor.TryEnter(lane))
                return lane;
        }
        TLane wait = _lanes[(uint)Environment.CurrentManagedThreadId % (uint)_lanes.Length];
        Monitor.Enter(wait);
        return wait;
    }

    public static void Release(TLane lane) => Monitor.Exit(lane);

    /// <summary>Runs the model on the first <paramref name="rows"/> rows of the lane's buffers.</summary>
    public void Run(TLane lane, int rows) => Session.RunWithBinding(lane.RunOptions, lane.Binding(rows));

    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        foreach (var lane in _lanes)
            lane.Dispose();
        Session.Dispose();
        _sessionOptions.Dispose();
    }

    /// <summary>
    /// The ArgumentException for the first value of <paramref name="rows"/> ([n x width]) that is NaN or infinite (with
    /// <paramref name="nanIsMissing"/>: infinite; NaN is then a missing value the model reads), naming its column
    /// (<paramref name="columnName"/>) and its row (<paramref name="rowWord"/> r); null when there is none.
    /// </summary>
    public static ArgumentException? NotFinite(ReadOnlySpan<float> rows, int width, Func<int, string> columnName, string rowWord, string parameter,
        bool nanIsMissing = false)
    {
        string allowed = nanIsMissing ? "a finite number or NaN (missing)" : "a finite number";
        for (int i = 0; i < rows.Length; i++)
        {
            if (!float.IsFinite(rows[i]) && !(nanIsMissing && float.IsNaN(rows[i])))
                return new ArgumentException($"feature '{columnName(i % width)}' of {rowWord} {i / width} is {rows[i]}: every feature must be {allowed}", parameter);
        }
        return null;
    }

    private static (string Provider, string? Fallback) ChooseProvider(SessionOptions sessionOptions, OnnxRankerOptions options)
    {
        if (options.ExecutionProvider == OnnxExecutionProvider.Cpu)
            return ("CPU", null);
        try
        {
            // GetAvailableProviders() lists CUDA whenever the package ships it, loadable or not: only appending tells.
            QuietOrt(() =>
            {
                sessionOptions.AppendExecutionProvider_CUDA(options.CudaDeviceId);
                return true;
            });
            return ("CUDA", null);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            string reason = FirstLine(e.Message);
            if (options.ExecutionProvider == OnnxExecutionProvider.Cuda)
                throw new InvalidOperationException($"execution provider 'cuda' was requested but CUDA cannot load on this machine: {reason}", e);
            options.Log?.Invoke($"onnx ranker: execution provider auto -> CPU, CUDA unavailable: {reason}");
            return ("CPU", reason);
        }
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
