namespace RecSys.Engine.Testing;

/// <summary>Deterministic random vectors for tests.</summary>
public static class VectorTestData
{
    public static float[] RandomVector(Random rng, int length, float scale = 1f)
    {
        var v = new float[length];
        for (int i = 0; i < length; i++)
            v[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return v;
    }

    /// <summary>Clustered rows (a few centres plus noise): realistic neighbour structure for index tests.</summary>
    public static float[] ClusteredRows(int seed, int n, int dim, int centres = 16)
    {
        var rng = new Random(seed);
        var c = new float[centres][];
        for (int i = 0; i < centres; i++)
            c[i] = RandomVector(rng, dim, 3f);
        var rows = new float[n * dim];
        for (int r = 0; r < n; r++)
        {
            var centre = c[rng.Next(centres)];
            for (int j = 0; j < dim; j++)
                rows[r * dim + j] = centre[j] + (float)(rng.NextDouble() * 2 - 1);
        }
        return rows;
    }

    /// <summary>A fresh directory under the system temp folder; the caller deletes it.</summary>
    public static string TempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "recsys-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
