namespace RecSys.Engine.Core.Vectors.Readers;

/// <summary>
/// A forward-only, streaming reader of an external vector file (.fvecs, .ivecs, .bvecs, .npy, .csv).
/// Rows are converted to float32 on the way out; the reader holds one row's worth of buffer at most,
/// so memory stays flat however large the file is.
/// </summary>
/// <remarks>
/// Malformed input is never skipped or patched: it surfaces as an <see cref="System.IO.InvalidDataException"/>
/// whose message names the file, the row (or line for CSV) and the reason. That includes a NaN or infinite
/// component (also a float64 .npy value beyond float range): every row a reader returns is finite.
/// </remarks>
public interface IVectorReader : IDisposable
{
    /// <summary>Number of components per row; known as soon as the reader is constructed.</summary>
    int Dimension { get; }

    /// <summary>Number of rows, or <c>null</c> when it cannot be known without a full pass (CSV).</summary>
    long? Count { get; }

    /// <summary>The path the reader was opened on.</summary>
    string Path { get; }

    /// <summary>
    /// Reads the next row into <paramref name="row"/> (whose length must equal <see cref="Dimension"/>).
    /// </summary>
    /// <param name="row">Destination, exactly <see cref="Dimension"/> floats.</param>
    /// <param name="id">The row's id: the first CSV column, or the 0-based ordinal for the other formats.</param>
    /// <returns><c>false</c> at the end of the file.</returns>
    bool TryReadNext(Span<float> row, out long id);
}
