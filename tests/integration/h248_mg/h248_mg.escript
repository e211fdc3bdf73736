#!/usr/bin/env escript
%%! -noshell
%% An H.248 media gateway for the tests: Erlang/OTP's megaco application
%% (Debian erlang-megaco) as the MG, text encoding over UDP. It registers
%% with a ServiceChange Restart on ROOT, answers Add (a "$" termination
%% becomes an ephemeral rtp/N with a Local SDP), Modify, Subtract and
%% AuditValue, and keeps its own table of contexts.
%%
%% Usage: h248_mg.escript LOCAL_IP LOCAL_PORT MGC_IP MGC_PORT
%% Commands on stdin, one per line, each answered on stdout:
%%   contexts  -> "contexts N terminations M" (the MG's own view)
%%   restart   -> forgets every context, sends ServiceChange Restart (901) on ROOT -> "ok restart"
%%   silent    -> closes its socket: no reply to anything any more -> "ok silent"
%%   cot TERM success|failure|none -> how the continuity test (ct/ct, H.248.1 E.10) on
%%                TERM ends: Notify ct/cmp res=success / res=failure, or no Notify at all
%%                (default success) -> "ok cot"
%%   quit
%% Every signal it is asked to play is printed as "signal NAME TERM" (its own record
%% of the ct/ct and ct/rsp requests it got), every Add of a named termination as "add TERM".
%% Prints "registered" once the MGC accepted the registration.
-mode(compile).

-include_lib("megaco/include/megaco.hrl").
-include_lib("megaco/include/megaco_message_v3.hrl").

-export([handle_connect/2, handle_disconnect/3, handle_syntax_error/3, handle_message_error/3,
         handle_trans_request/3, handle_trans_long_request/3, handle_trans_reply/4, handle_trans_ack/4,
         handle_unexpected_trans/3, handle_trans_request_abort/4, handle_segment_reply/5]).

main([LocalIp, LocalPort, MgcIp, MgcPort]) ->
    {ok, LIp} = inet:parse_ipv4_address(LocalIp),
    {ok, MIp} = inet:parse_ipv4_address(MgcIp),
    LPort = list_to_integer(LocalPort),
    MPort = list_to_integer(MgcPort),
    ets:new(mg_contexts, [named_table, public, set]),
    ets:new(mg_state, [named_table, public, set]),
    ets:new(mg_cot, [named_table, public, set]),
    ets:insert(mg_state, [{next_context, 1}, {next_rtp, 1}, {local_ip, LocalIp}]),
    ok = megaco:start(),
    Mid = {ip4Address, #'IP4Address'{address = tuple_to_list(LIp), portNumber = LPort}},
    ok = megaco:start_user(Mid, [{send_mod, megaco_udp},
                                 {encoding_mod, megaco_pretty_text_encoder},
                                 {encoding_config, []},
                                 {protocol_version, 3},
                                 {user_mod, ?MODULE},
                                 {user_args, []},
                                 {request_timer, #megaco_incr_timer{wait_for = 500, factor = 2,
                                                                    incr = 0, max_retries = 10}}]),
    RH = megaco:user_info(Mid, receive_handle),
    {ok, Sup} = megaco_udp:start_transport(),
    {ok, Handle, _} = open(Sup, RH, LIp, LPort),
    SH = megaco_udp:create_send_handle(Handle, MIp, MPort),
    {ok, Conn} = megaco:connect(RH, preliminary_mid, SH, self()),
    ets:insert(mg_state, [{conn, Conn}, {handle, Handle}]),
    register_with_mgc(Conn, "901 Cold Boot"),
    loop().

open(Sup, RH, LIp, LPort) ->
    case megaco_udp:open(Sup, [{port, LPort}, {receive_handle, RH}, {udp_options, [{ip, LIp}]}]) of
        {ok, Handle, Pid} -> {ok, Handle, Pid};
        {ok, Handle} -> {ok, Handle, undefined}
    end.

register_with_mgc(Conn, Reason) ->
    Parm = #'ServiceChangeParm'{serviceChangeMethod = restart, serviceChangeReason = [Reason]},
    Req = {serviceChangeReq, #'ServiceChangeRequest'{terminationID = [?megaco_root_termination_id],
                                                     serviceChangeParms = Parm}},
    Action = #'ActionRequest'{contextId = ?megaco_null_context_id,
                              commandRequests = [#'CommandRequest'{command = Req}]},
    spawn(fun() ->
              case megaco:call(Conn, [Action], []) of
                  {_Version, {ok, _}} -> say("registered");
                  Other -> say(io_lib:format("registration failed ~w", [Other]))
              end
          end).

say(Text) -> io:format("~s~n", [Text]).

loop() ->
    case io:get_line("") of
        eof -> halt(0);
        {error, _} -> halt(0);
        Line ->
            command(string:trim(Line)),
            loop()
    end.

command("contexts") ->
    Terms = lists:sum([length(Ts) || {_, Ts} <- ets:tab2list(mg_contexts)]),
    say(io_lib:format("contexts ~w terminations ~w", [ets:info(mg_contexts, size), Terms]));
command("restart") ->
    ets:delete_all_objects(mg_contexts),
    %% The registration reply named the MGC: the connection handle from connect() (preliminary_mid)
    %% is no longer the current one.
    [Conn | _] = megaco:system_info(connections),
    register_with_mgc(Conn, "901 Cold Boot"),
    say("ok restart");
command("silent") ->
    [{handle, Handle}] = ets:lookup(mg_state, handle),
    megaco_udp:close(Handle),
    say("ok silent");
command("cot " ++ Rest) ->
    [Term, Result] = string:tokens(Rest, " "),
    ets:insert(mg_cot, {Term, Result}),
    say("ok cot");
command("quit") -> halt(0);
command(Other) -> say("unknown " ++ Other).

%% megaco_user callbacks

handle_connect(_Conn, _Version) -> ok.
handle_disconnect(_Conn, _Version, _Reason) -> ok.
handle_syntax_error(_RH, _Version, _Error) -> reply.
handle_message_error(_Conn, _Version, _Error) -> no_reply.
handle_trans_reply(_Conn, _Version, _Result, _Data) -> ok.
handle_trans_ack(_Conn, _Version, _Status, _Data) -> ok.
handle_unexpected_trans(_Conn, _Version, _Trans) -> ok.
handle_trans_request_abort(_Conn, _Version, _TransNo, _Pid) -> ok.
handle_segment_reply(_Conn, _Version, _TransNo, _SegNo, _SegCompl) -> ok.
handle_trans_long_request(_Conn, _Version, _Data) -> {discard_ack, []}.

handle_trans_request(Conn, _Version, Actions) ->
    {discard_ack, [action(Conn, A) || A <- Actions]}.

action(Conn, #'ActionRequest'{contextId = Ctx0, commandRequests = Cmds}) ->
    Ctx = case Ctx0 of
              ?megaco_choose_context_id -> next(next_context);
              _ -> Ctx0
          end,
    [signals(Conn, Ctx, C) || #'CommandRequest'{command = C} <- Cmds],
    Replies = [command_reply(Ctx, C) || #'CommandRequest'{command = C} <- Cmds],
    case lists:keyfind(error, 1, Replies) of
        {error, Code, Text} ->
            #'ActionReply'{contextId = Ctx,
                           errorDescriptor = #'ErrorDescriptor'{errorCode = Code, errorText = Text},
                           commandReply = [R || R <- Replies, element(1, R) =/= error]};
        false ->
            #'ActionReply'{contextId = Ctx, commandReply = Replies}
    end.

next(Key) -> ets:update_counter(mg_state, Key, 1) - 1.

command_reply(Ctx, {addReq, #'AmmRequest'{terminationID = [Tid0]}}) ->
    {Tid, Audit} = case Tid0 of
                       #megaco_term_id{contains_wildcards = true} ->
                           N = next(next_rtp),
                           Name = #megaco_term_id{id = ["rtp", integer_to_list(N)]},
                           {Name, [{mediaDescriptor, local_media(N)}]};
                       _ ->
                           say("add " ++ term_name(Tid0)),
                           {Tid0, []}
                   end,
    add_term(Ctx, Tid),
    {addReply, #'AmmsReply'{terminationID = [Tid], terminationAudit = Audit}};
command_reply(Ctx, {modReq, #'AmmRequest'{terminationID = [Tid]}}) ->
    case has_term(Ctx, Tid) of
        true -> {modReply, #'AmmsReply'{terminationID = [Tid]}};
        false -> {error, 431, "No such termination in the context"}
    end;
command_reply(Ctx, {subtractReq, #'SubtractRequest'{terminationID = [Tid]}}) ->
    case has_term(Ctx, Tid) of
        true ->
            del_term(Ctx, Tid),
            {subtractReply, #'AmmsReply'{terminationID = [Tid]}};
        false -> {error, 431, "No such termination in the context"}
    end;
command_reply(_Ctx, {auditValueRequest, #'AuditRequest'{terminationID = Tid}}) ->
    {auditValueReply, {auditResult, #'AuditResult'{terminationID = Tid, terminationAuditResult = []}}};
command_reply(_Ctx, _Other) ->
    {error, 501, "Not Implemented"}.

local_media(N) ->
    [{local_ip, Ip}] = ets:lookup(mg_state, local_ip),
    Sdp = [#'PropertyParm'{name = "v", value = ["0"]},
           #'PropertyParm'{name = "o", value = ["- " ++ integer_to_list(N) ++ " 1 IN IP4 " ++ Ip]},
           #'PropertyParm'{name = "s", value = ["-"]},
           #'PropertyParm'{name = "c", value = ["IN IP4 " ++ Ip]},
           #'PropertyParm'{name = "t", value = ["0 0"]},
           #'PropertyParm'{name = "m", value = ["audio " ++ integer_to_list(40000 + 2 * N) ++ " RTP/AVP 8"]}],
    #'MediaDescriptor'{streams = {oneStream,
                                  #'StreamParms'{localDescriptor = #'LocalRemoteDescriptor'{propGrps = [Sdp]}}}}.

add_term(Ctx, Tid) ->
    Ts = case ets:lookup(mg_contexts, Ctx) of [{_, L}] -> L; [] -> [] end,
    ets:insert(mg_contexts, {Ctx, [Tid | Ts]}).

has_term(Ctx, Tid) ->
    case ets:lookup(mg_contexts, Ctx) of
        [{_, L}] -> lists:member(Tid, L);
        [] -> false
    end.

del_term(Ctx, Tid) ->
    case ets:lookup(mg_contexts, Ctx) of
        [{_, L}] ->
            case lists:delete(Tid, L) of
                [] -> ets:delete(mg_contexts, Ctx);
                Rest -> ets:insert(mg_contexts, {Ctx, Rest})
            end;
        [] -> ok
    end.

term_name(#megaco_term_id{id = Ids}) -> string:join(Ids, "/").

%% The signals of an Add or Modify (H.248.1 E.10 ct/ct, ct/rsp, or any other): recorded on stdout; a
%% continuity test (ct/ct with the ct/cmp event requested) is answered by a Notify ct/cmp with the
%% result scripted for the termination, after the command's own reply.
signals(Conn, Ctx, {Verb, #'AmmRequest'{terminationID = [Tid], descriptors = Ds}})
  when Verb =:= addReq; Verb =:= modReq ->
    Term = term_name(Tid),
    Sigs = lists:append([S || {signalsDescriptor, S} <- Ds]),
    Names = [N || {signal, #'Signal'{signalName = N}} <- Sigs],
    [say("signal " ++ N ++ " " ++ Term) || N <- Names],
    Events = [E || {eventsDescriptor, E} <- Ds],
    case {lists:member("ct/ct", Names), Events} of
        {true, [#'EventsDescriptor'{requestID = Rid, eventList = EvL}]} ->
            case lists:any(fun(#'RequestedEvent'{pkgdName = P}) -> P =:= "ct/cmp" end, EvL) of
                true -> continuity_result(Conn, Ctx, Tid, Rid, cot_result(Term));
                false -> ok
            end;
        _ -> ok
    end;
signals(_Conn, _Ctx, _Other) -> ok.

cot_result(Term) ->
    case ets:lookup(mg_cot, Term) of
        [{_, R}] -> R;
        [] -> "success"
    end.

continuity_result(_Conn, _Ctx, _Tid, _Rid, "none") -> ok;
continuity_result(Conn, Ctx, Tid, Rid, Result) ->
    Ev = #'ObservedEvent'{eventName = "ct/cmp",
                          eventParList = [#'EventParameter'{eventParameterName = "res", value = [Result]}]},
    Notify = {notifyReq, #'NotifyRequest'{terminationID = [Tid],
                                          observedEventsDescriptor =
                                              #'ObservedEventsDescriptor'{requestId = Rid,
                                                                          observedEventLst = [Ev]}}},
    Action = #'ActionRequest'{contextId = Ctx, commandRequests = [#'CommandRequest'{command = Notify}]},
    spawn(fun() ->
              timer:sleep(50),  % the tone's round trip; the Add's reply goes first
              case megaco:call(Conn, [Action], []) of
                  {_V, {ok, _}} -> say("notified ct/cmp " ++ Result ++ " " ++ term_name(Tid));
                  Other -> say(io_lib:format("notify failed ~w", [Other]))
              end
          end),
    ok.
