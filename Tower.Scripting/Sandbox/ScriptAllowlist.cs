using System.Collections.Frozen;

namespace Tower.Scripting.Sandbox;

/// <summary>
/// What scripts may use: a list of types, each with the members it allows. Nothing outside it
/// binds, and every member of a listed type must also pass <see cref="ScriptSandbox"/>'s rules
/// for all members (no pointer, native-sized integer, handle, reflection or unlisted type in its
/// signature; no framework events; no writes to static state). <c>docs/scripts.md</c> is
/// generated from this list (<see cref="AllowlistDocument"/>), so the two cannot drift.
/// </summary>
internal static class ScriptAllowlist
{
    private const string Reflection = "hands out reflection";
    private const string Concurrency = "starts work that outlives the call";
    private const string ProcessState = "changes process-wide state";
    private const string Blocking = "blocks the script's thread; use await";

    /// <summary>Namespaces whose public interfaces are allowed (their members still meet every rule): generic math and collections.</summary>
    public static readonly FrozenSet<string> InterfaceNamespaces = new[]
    {
        "System", "System.Collections.Generic", "System.Numerics",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly IReadOnlyList<AllowedType> Types =
    [
        // System: values, text, time, math.
        All("System.Object", ("GetType", Reflection)),
        All("System.ValueType"),
        All("System.Enum"),
        All("System.String", ("Intern", ProcessState), ("IsInterned", ProcessState)),
        .. AllOf("System.Boolean", "System.Char", "System.Byte", "System.SByte", "System.Int16", "System.UInt16", "System.Int32",
            "System.UInt32", "System.Int64", "System.UInt64", "System.Int128", "System.UInt128", "System.Half", "System.Single",
            "System.Double", "System.Decimal", "System.Void", "System.Math", "System.MathF", "System.MidpointRounding",
            "System.DateTime", "System.DateTimeOffset", "System.DateOnly", "System.TimeOnly", "System.TimeSpan", "System.DayOfWeek",
            "System.DateTimeKind", "System.Guid", "System.Convert", "System.Base64FormattingOptions", "System.BitConverter",
            "System.HashCode", "System.Random", "System.Version", "System.Index", "System.Range", "System.Nullable", "System.Nullable`1",
            "System.StringComparison", "System.StringComparer", "System.StringSplitOptions", "System.FormattableString",
            "System.Uri", "System.UriBuilder", "System.UriKind", "System.UriComponents", "System.UriFormat", "System.UriPartial",
            "System.UriHostNameType", "System.Lazy`1", "System.Diagnostics.Stopwatch"),
        All("System.TimeZoneInfo", ("ClearCachedData", ProcessState)),
        Listed("System.Environment", "NewLine"),
        All("System.Array"),
        .. AllOf("System.ArraySegment`1", "System.Span`1", "System.ReadOnlySpan`1", "System.Memory`1", "System.ReadOnlyMemory`1",
            "System.MemoryExtensions"),
        .. AllOf("System.Tuple", "System.ValueTuple"),
        .. Family("System.Tuple", 1, 8),
        .. Family("System.ValueTuple", 1, 8),
        .. Family("System.Action", 1, 16),
        All("System.Action"),
        .. Family("System.Func", 1, 17),
        .. AllOf("System.Predicate`1", "System.Comparison`1", "System.Converter`2"),
        .. AllOf("System.Exception", "System.AggregateException", "System.ArgumentException", "System.ArgumentNullException",
            "System.ArgumentOutOfRangeException", "System.ArithmeticException", "System.DivideByZeroException", "System.FormatException",
            "System.IndexOutOfRangeException", "System.InvalidCastException", "System.InvalidOperationException",
            "System.NotImplementedException", "System.NotSupportedException", "System.NullReferenceException",
            "System.OperationCanceledException", "System.OverflowException", "System.TimeoutException",
            "System.UnauthorizedAccessException", "System.Collections.Generic.KeyNotFoundException"),

        // Collections and LINQ (not PLINQ, not IQueryable: they start threads or compile expression trees).
        .. AllOf("System.Collections.IEnumerable", "System.Collections.IEnumerator"),
        .. AllOf("System.Collections.Generic.List`1", "System.Collections.Generic.Dictionary`2", "System.Collections.Generic.HashSet`1",
            "System.Collections.Generic.SortedDictionary`2", "System.Collections.Generic.SortedList`2", "System.Collections.Generic.SortedSet`1",
            "System.Collections.Generic.OrderedDictionary`2", "System.Collections.Generic.Queue`1", "System.Collections.Generic.Stack`1",
            "System.Collections.Generic.PriorityQueue`2", "System.Collections.Generic.LinkedList`1", "System.Collections.Generic.LinkedListNode`1",
            "System.Collections.Generic.KeyValuePair", "System.Collections.Generic.KeyValuePair`2", "System.Collections.Generic.Comparer`1",
            "System.Collections.Generic.EqualityComparer`1", "System.Collections.Generic.CollectionExtensions",
            "System.Collections.ObjectModel.ReadOnlyCollection`1", "System.Collections.ObjectModel.ReadOnlyDictionary`2",
            "System.Collections.ObjectModel.Collection`1"),
        .. AllOf("System.Linq.Enumerable", "System.Linq.IGrouping`2", "System.Linq.ILookup`2", "System.Linq.Lookup`2",
            "System.Linq.IOrderedEnumerable`1"),

        // Text, JSON, regular expressions, cultures.
        All("System.Text.StringBuilder"),
        ReadOnly("System.Text.Encoding", ("RegisterProvider", ProcessState)),
        .. AllOf("System.Text.UTF8Encoding", "System.Text.ASCIIEncoding", "System.Text.UnicodeEncoding", "System.Text.UTF32Encoding",
            "System.Text.Rune", "System.Text.NormalizationForm", "System.Text.CompositeFormat", "System.Text.Ascii",
            "System.Text.Unicode.Utf8", "System.Buffers.Text.Base64", "System.Buffers.Text.Base64Url"),
        .. AllOf("System.Text.Json.JsonSerializer", "System.Text.Json.JsonSerializerOptions", "System.Text.Json.JsonSerializerDefaults",
            "System.Text.Json.JsonNamingPolicy", "System.Text.Json.JsonDocument", "System.Text.Json.JsonDocumentOptions",
            "System.Text.Json.JsonElement", "System.Text.Json.JsonProperty", "System.Text.Json.JsonValueKind",
            "System.Text.Json.JsonException", "System.Text.Json.JsonCommentHandling",
            "System.Text.Json.Serialization.JsonIgnoreCondition", "System.Text.Json.Serialization.JsonNumberHandling",
            "System.Text.Json.Serialization.JsonUnmappedMemberHandling", "System.Text.Json.Serialization.JsonConverter",
            "System.Text.Json.Serialization.JsonConverter`1", "System.Text.Json.Serialization.JsonStringEnumConverter",
            "System.Text.Json.Serialization.JsonStringEnumConverter`1", "System.Text.Json.Serialization.JsonPropertyNameAttribute",
            "System.Text.Json.Serialization.JsonIgnoreAttribute", "System.Text.Json.Serialization.JsonPropertyOrderAttribute",
            "System.Text.Json.Serialization.JsonRequiredAttribute", "System.Text.Json.Serialization.JsonIncludeAttribute"),
        .. AllOf("System.Text.Json.Nodes.JsonNode", "System.Text.Json.Nodes.JsonObject", "System.Text.Json.Nodes.JsonArray",
            "System.Text.Json.Nodes.JsonValue", "System.Text.Json.Nodes.JsonNodeOptions"),
        .. AllOf("System.Text.RegularExpressions.Regex", "System.Text.RegularExpressions.RegexOptions",
            "System.Text.RegularExpressions.Match", "System.Text.RegularExpressions.MatchCollection",
            "System.Text.RegularExpressions.Group", "System.Text.RegularExpressions.GroupCollection",
            "System.Text.RegularExpressions.Capture", "System.Text.RegularExpressions.CaptureCollection",
            "System.Text.RegularExpressions.ValueMatch", "System.Text.RegularExpressions.MatchEvaluator",
            "System.Text.RegularExpressions.RegexMatchTimeoutException"),
        ReadOnly("System.Globalization.CultureInfo", ("ClearCachedData", ProcessState)),
        .. ReadOnlyOf("System.Globalization.NumberFormatInfo", "System.Globalization.DateTimeFormatInfo",
            "System.Globalization.TextInfo", "System.Globalization.CompareInfo"),
        .. AllOf("System.Globalization.NumberStyles", "System.Globalization.DateTimeStyles", "System.Globalization.CompareOptions",
            "System.Globalization.UnicodeCategory", "System.Globalization.CharUnicodeInfo", "System.Globalization.StringInfo",
            "System.Globalization.ISOWeek"),

        // Numbers (generic math through the interfaces; no vectors: their loads and stores take raw offsets).
        .. AllOf("System.Numerics.BigInteger", "System.Numerics.Complex", "System.Numerics.BitOperations"),

        // Cryptography: hashes, MACs, ciphers and keys by value; nothing by handle, engine, provider or type name.
        .. AllOf("System.Security.Cryptography.HashAlgorithm", "System.Security.Cryptography.KeyedHashAlgorithm",
            "System.Security.Cryptography.HMAC", "System.Security.Cryptography.HMACMD5", "System.Security.Cryptography.HMACSHA1",
            "System.Security.Cryptography.HMACSHA256", "System.Security.Cryptography.HMACSHA384", "System.Security.Cryptography.HMACSHA512",
            "System.Security.Cryptography.HMACSHA3_256", "System.Security.Cryptography.HMACSHA3_384", "System.Security.Cryptography.HMACSHA3_512",
            "System.Security.Cryptography.MD5", "System.Security.Cryptography.SHA1", "System.Security.Cryptography.SHA256",
            "System.Security.Cryptography.SHA384", "System.Security.Cryptography.SHA512", "System.Security.Cryptography.SHA3_256",
            "System.Security.Cryptography.SHA3_384", "System.Security.Cryptography.SHA3_512", "System.Security.Cryptography.IncrementalHash",
            "System.Security.Cryptography.HashAlgorithmName", "System.Security.Cryptography.CryptographicOperations",
            "System.Security.Cryptography.RandomNumberGenerator", "System.Security.Cryptography.Rfc2898DeriveBytes",
            "System.Security.Cryptography.HKDF", "System.Security.Cryptography.CryptographicException",
            "System.Security.Cryptography.SymmetricAlgorithm", "System.Security.Cryptography.Aes", "System.Security.Cryptography.AesGcm",
            "System.Security.Cryptography.AesCcm", "System.Security.Cryptography.ChaCha20Poly1305", "System.Security.Cryptography.CipherMode",
            "System.Security.Cryptography.PaddingMode", "System.Security.Cryptography.ICryptoTransform",
            "System.Security.Cryptography.AsymmetricAlgorithm", "System.Security.Cryptography.RSA", "System.Security.Cryptography.RSAParameters",
            "System.Security.Cryptography.RSASignaturePadding", "System.Security.Cryptography.RSAEncryptionPadding",
            "System.Security.Cryptography.ECAlgorithm", "System.Security.Cryptography.ECDsa", "System.Security.Cryptography.ECCurve",
            "System.Security.Cryptography.ECParameters", "System.Security.Cryptography.ECPoint",
            "System.Security.Cryptography.DSASignatureFormat"),

        // Tasks: awaiting is allowed; starting, continuing or blocking on work is not.
        All("System.Threading.Tasks.Task", ("Run", Concurrency), ("Factory", Concurrency), ("Start", Concurrency),
            ("RunSynchronously", Concurrency), ("ContinueWith", Concurrency), (".ctor", Concurrency), ("Wait", Blocking),
            ("WaitAll", Blocking), ("WaitAny", Blocking)),
        All("System.Threading.Tasks.Task`1", ("ContinueWith", Concurrency), (".ctor", Concurrency), ("Result", Blocking)),
        All("System.Threading.Tasks.ValueTask`1", ("Result", Blocking)),
        .. AllOf("System.Threading.Tasks.ValueTask", "System.Threading.Tasks.TaskStatus",
            "System.Threading.Tasks.ConfigureAwaitOptions", "System.Threading.Tasks.TaskCanceledException"),
        All("System.Threading.CancellationToken", ("Register", Concurrency), ("UnsafeRegister", Concurrency)),
        .. TypeOnlyOf("System.Runtime.CompilerServices.ConfiguredTaskAwaitable", "System.Runtime.CompilerServices.ConfiguredTaskAwaitable`1",
            "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable", "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable`1",
            "System.Runtime.CompilerServices.YieldAwaitable", "System.Runtime.CompilerServices.DefaultInterpolatedStringHandler"),

        // Addresses and HTTP vocabulary (outbound HTTP goes through the http global).
        .. AllOf("System.Net.WebUtility", "System.Net.IPAddress", "System.Net.IPNetwork", "System.Net.HttpStatusCode",
            "System.Net.Sockets.AddressFamily"),

        // Tower's globals.
        .. AllOf("Tower.Scripting.ScriptGlobals", "Tower.Scripting.WebhookGlobals", "Tower.Scripting.AuthenticatorGlobals",
            "Tower.Scripting.WebhookResult", "Tower.Scripting.AuthenticatorResult", "Tower.Scripting.ScriptUser",
            "Tower.Scripting.ScriptLog", "Tower.Scripting.ScriptHttp", "Tower.Scripting.ScriptHttpResponse",
            "Tower.Scripting.ScriptHttpException"),
    ];

    private static readonly FrozenDictionary<string, AllowedType> ByName = Types.ToFrozenDictionary(type => type.Name, StringComparer.Ordinal);

    public static AllowedType? Find(string metadataName) => ByName.GetValueOrDefault(metadataName);

    private static AllowedType All(string name, params (string Member, string Reason)[] refused) =>
        new(name, MemberAccess.All, refused.ToDictionary(r => r.Member, r => r.Reason, StringComparer.Ordinal));

    private static AllowedType ReadOnly(string name, params (string Member, string Reason)[] refused) =>
        new(name, MemberAccess.ReadOnly, refused.ToDictionary(r => r.Member, r => r.Reason, StringComparer.Ordinal));

    private static AllowedType Listed(string name, params string[] members) =>
        new(name, MemberAccess.Listed, FrozenDictionary<string, string>.Empty) { ListedMembers = members };

    private static IEnumerable<AllowedType> AllOf(params string[] names) => names.Select(name => All(name));

    private static IEnumerable<AllowedType> ReadOnlyOf(params string[] names) => names.Select(name => ReadOnly(name));

    private static IEnumerable<AllowedType> TypeOnlyOf(params string[] names) =>
        names.Select(name => new AllowedType(name, MemberAccess.TypeOnly, FrozenDictionary<string, string>.Empty));

    /// <summary><c>System.Func`1</c> … <c>System.Func`17</c>.</summary>
    private static IEnumerable<AllowedType> Family(string name, int from, int to) =>
        Enumerable.Range(from, to - from + 1).Select(arity => All($"{name}`{arity}"));
}
