namespace RecSys.Engine.Core.Index.Factory;

/// <summary>
/// One option of a kind's grammar: a keyword with a number ("efc200": <see cref="SetNumber"/>) or a bare flag
/// ("bf16": <see cref="SetFlag"/>), and how it changes the spec.
/// </summary>
internal sealed record SpecOption<TSpec>(string Keyword, Func<TSpec, int, TSpec>? SetNumber = null, Func<TSpec, TSpec>? SetFlag = null)
{
    /// <summary>The option as the grammar writes it: "efc&lt;N&gt;" or "bf16".</summary>
    public string Form => SetNumber is null ? Keyword : $"{Keyword}<N>";
}
