using Tower.Contracts.Scripts;

namespace Tower.Scripting.Workers;

/// <summary>Compact binary forms of a call and its outcome for the pipe to a worker (cheaper than JSON).</summary>
internal static class WorkerCodec
{
    public static void Write(BinaryWriter writer, ScriptInvocation call)
    {
        writer.Write(call.CallId.ToByteArray());
        writer.Write(call.CodeHash);
        writer.Write(call.Owner);
        writer.Write(call.TimeoutMs);
        writer.WriteBytes(call.Body);
        writer.Write(call.PayloadJson);
        WriteMap(writer, call.Headers);
        WriteMap(writer, call.Query);
        WriteMap(writer, call.Variables);
        WriteMap(writer, call.Secrets);
        writer.Write(call.RunAsUser);
        writer.Write(call.RunAsGroup);
    }

    public static ScriptInvocation ReadInvocation(BinaryReader reader) => new()
    {
        CallId = new Guid(reader.ReadBytes(16)),
        CodeHash = reader.ReadString(),
        Owner = reader.ReadString(),
        TimeoutMs = reader.ReadInt32(),
        Body = reader.ReadBytes(),
        PayloadJson = reader.ReadString(),
        Headers = ReadMap(reader, StringComparer.OrdinalIgnoreCase),
        Query = ReadMap(reader, StringComparer.Ordinal),
        Variables = ReadMap(reader, StringComparer.Ordinal),
        Secrets = ReadMap(reader, StringComparer.Ordinal),
        RunAsUser = reader.ReadString(),
        RunAsGroup = reader.ReadString(),
    };

    public static void Write(BinaryWriter writer, ScriptOutcome outcome)
    {
        writer.Write((byte)outcome.Status);
        writer.Write(outcome.Allowed);
        writer.Write(outcome.HttpCode.HasValue);
        writer.Write(outcome.HttpCode ?? 0);
        writer.Write(outcome.ExitCode);
        WriteNullable(writer, outcome.Message);
        writer.Write(outcome.Log.Count);
        foreach (var line in outcome.Log)
        {
            writer.Write(line);
        }

        WriteNullable(writer, outcome.Error);
        writer.Write(outcome.DurationMs);
    }

    public static ScriptOutcome ReadOutcome(BinaryReader reader)
    {
        var status = (ScriptRunStatus)reader.ReadByte();
        var allowed = reader.ReadBoolean();
        var hasHttpCode = reader.ReadBoolean();
        var httpCode = reader.ReadInt32();
        var exitCode = reader.ReadInt32();
        var message = ReadNullable(reader);
        var log = new string[reader.ReadInt32()];
        for (var i = 0; i < log.Length; i++)
        {
            log[i] = reader.ReadString();
        }

        return new ScriptOutcome
        {
            Status = status,
            Allowed = allowed,
            HttpCode = hasHttpCode ? httpCode : null,
            ExitCode = exitCode,
            Message = message,
            Log = log,
            Error = ReadNullable(reader),
            DurationMs = reader.ReadDouble(),
        };
    }

    public static void Write(BinaryWriter writer, int id, ScriptHttpRequest request)
    {
        writer.Write(id);
        writer.Write(request.Method);
        writer.Write(request.Url);
        WriteNullable(writer, request.Body);
        WriteNullable(writer, request.ContentType);
        WriteMap(writer, request.Headers);
        writer.Write(request.Timeout.Ticks);
    }

    public static (int Id, ScriptHttpRequest Request) ReadHttpRequest(BinaryReader reader) =>
        (reader.ReadInt32(), new ScriptHttpRequest(reader.ReadString(), reader.ReadString(), ReadNullable(reader), ReadNullable(reader),
            ReadMap(reader, StringComparer.OrdinalIgnoreCase), TimeSpan.FromTicks(reader.ReadInt64())));

    public static void WriteHttpAnswer(BinaryWriter writer, int id, ScriptHttpResponse? response, string? error)
    {
        writer.Write(id);
        writer.Write(response is not null);
        if (response is not null)
        {
            writer.Write(response.status);
            writer.Write(response.body);
            WriteMap(writer, response.headers);
        }
        else
        {
            writer.Write(error ?? "");
        }
    }

    public static (int Id, ScriptHttpResponse? Response, string? Error) ReadHttpAnswer(BinaryReader reader)
    {
        var id = reader.ReadInt32();
        return reader.ReadBoolean()
            ? (id, new ScriptHttpResponse(reader.ReadInt32(), reader.ReadString(), ReadMap(reader, StringComparer.OrdinalIgnoreCase).AsReadOnly()), null)
            : (id, null, reader.ReadString());
    }

    private static void WriteMap(BinaryWriter writer, IReadOnlyDictionary<string, string> map)
    {
        writer.Write(map.Count);
        foreach (var (key, value) in map)
        {
            writer.Write(key);
            writer.Write(value);
        }
    }

    private static Dictionary<string, string> ReadMap(BinaryReader reader, StringComparer comparer)
    {
        var count = reader.ReadInt32();
        var map = new Dictionary<string, string>(count, comparer);
        for (var i = 0; i < count; i++)
        {
            map[reader.ReadString()] = reader.ReadString();
        }

        return map;
    }

    private static void WriteNullable(BinaryWriter writer, string? text)
    {
        writer.Write(text is not null);
        if (text is not null)
        {
            writer.Write(text);
        }
    }

    private static string? ReadNullable(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}
