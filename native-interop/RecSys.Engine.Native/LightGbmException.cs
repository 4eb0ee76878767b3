namespace RecSys.Engine.Native;

/// <summary>A LightGBM C API call failed; the message is the call's name and LightGBM's own reason (LGBM_GetLastError).</summary>
public sealed class LightGbmException : Exception
{
    public LightGbmException(string message)
        : base(message)
    {
    }

    public LightGbmException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Throws when <paramref name="rc"/> is LightGBM's failure code, with the thread's last error text.</summary>
    internal static void ThrowOnError(int rc, string call)
    {
        if (rc != 0)
            throw new LightGbmException($"{call} failed: {LastError()}");
    }

    private static string LastError()
    {
        string? text = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(LightGbmNative.GetLastError());
        return string.IsNullOrWhiteSpace(text) ? "(LightGBM gave no reason)" : text.Trim();
    }
}
