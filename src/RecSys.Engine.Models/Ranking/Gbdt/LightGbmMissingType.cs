namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>How a LightGBM split treats missing values (bits 2-3 of its decision_type; "missing_type" in the JSON dump).</summary>
public enum LightGbmMissingType : byte
{
    /// <summary>No missing values seen in training: NaN is read as 0 and compared like any value.</summary>
    None = 0,

    /// <summary>Zero is missing (zero_as_missing): |x| &lt;= 1e-35, and NaN, go the default direction.</summary>
    Zero = 1,

    /// <summary>NaN is missing and goes the default direction.</summary>
    NaN = 2,
}
