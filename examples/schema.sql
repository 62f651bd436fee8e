--
-- PostgreSQL database dump
--

\restrict oFHNITRNAJEULR5bsF6pHbGwyiZu2oUSllDuTxA8iAcTv2VxtzW884ChqAcknjW

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: catalog_items; Type: TABLE; Schema: public; Owner: shop_owner
--

CREATE TABLE public.catalog_items (
    tenant text NOT NULL,
    sku text NOT NULL,
    name text NOT NULL,
    price numeric(12,2) NOT NULL
);


ALTER TABLE public.catalog_items OWNER TO shop_owner;

--
-- Name: invoices; Type: TABLE; Schema: public; Owner: shop_owner
--

CREATE TABLE public.invoices (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    order_id bigint NOT NULL,
    amount numeric(12,2) NOT NULL
);


ALTER TABLE public.invoices OWNER TO shop_owner;

--
-- Name: invoices_id_seq; Type: SEQUENCE; Schema: public; Owner: shop_owner
--

ALTER TABLE public.invoices ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.invoices_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: jobs; Type: TABLE; Schema: public; Owner: shop_owner
--

CREATE TABLE public.jobs (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    lane text NOT NULL,
    state text DEFAULT 'pending'::text NOT NULL,
    claimed_by text,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL
);


ALTER TABLE public.jobs OWNER TO shop_owner;

--
-- Name: jobs_id_seq; Type: SEQUENCE; Schema: public; Owner: shop_owner
--

ALTER TABLE public.jobs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: orders; Type: TABLE; Schema: public; Owner: shop_owner
--

CREATE TABLE public.orders (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    status text DEFAULT 'new'::text NOT NULL,
    total numeric(12,2) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.orders OWNER TO shop_owner;

--
-- Name: orders_id_seq; Type: SEQUENCE; Schema: public; Owner: shop_owner
--

ALTER TABLE public.orders ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.orders_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: org_members; Type: TABLE; Schema: public; Owner: shop_owner
--

CREATE TABLE public.org_members (
    org_id uuid NOT NULL,
    user_email text NOT NULL,
    role text NOT NULL
);


ALTER TABLE public.org_members OWNER TO shop_owner;

--
-- Name: catalog_items catalog_items_pkey; Type: CONSTRAINT; Schema: public; Owner: shop_owner
--

ALTER TABLE ONLY public.catalog_items
    ADD CONSTRAINT catalog_items_pkey PRIMARY KEY (tenant, sku);


--
-- Name: invoices invoices_pkey; Type: CONSTRAINT; Schema: public; Owner: shop_owner
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_pkey PRIMARY KEY (id);


--
-- Name: jobs jobs_pkey; Type: CONSTRAINT; Schema: public; Owner: shop_owner
--

ALTER TABLE ONLY public.jobs
    ADD CONSTRAINT jobs_pkey PRIMARY KEY (id);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: shop_owner
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: org_members org_members_pkey; Type: CONSTRAINT; Schema: public; Owner: shop_owner
--

ALTER TABLE ONLY public.org_members
    ADD CONSTRAINT org_members_pkey PRIMARY KEY (org_id, user_email);


--
-- Name: invoices invoices_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: shop_owner
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);


--
-- Name: catalog_items; Type: ROW SECURITY; Schema: public; Owner: shop_owner
--

ALTER TABLE public.catalog_items ENABLE ROW LEVEL SECURITY;

--
-- Name: invoices; Type: ROW SECURITY; Schema: public; Owner: shop_owner
--

ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY;

--
-- Name: jobs; Type: ROW SECURITY; Schema: public; Owner: shop_owner
--

ALTER TABLE public.jobs ENABLE ROW LEVEL SECURITY;

--
-- Name: orders; Type: ROW SECURITY; Schema: public; Owner: shop_owner
--

ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;

--
-- Name: org_members; Type: ROW SECURITY; Schema: public; Owner: shop_owner
--

ALTER TABLE public.org_members ENABLE ROW LEVEL SECURITY;

--
-- Name: catalog_items shadow_permissive; Type: POLICY; Schema: public; Owner: shop_owner
--

CREATE POLICY shadow_permissive ON public.catalog_items USING (true) WITH CHECK (true);


--
-- Name: invoices shadow_permissive; Type: POLICY; Schema: public; Owner: shop_owner
--

CREATE POLICY shadow_permissive ON public.invoices USING (true) WITH CHECK (true);


--
-- Name: jobs shadow_permissive; Type: POLICY; Schema: public; Owner: shop_owner
--

CREATE POLICY shadow_permissive ON public.jobs USING (true) WITH CHECK (true);


--
-- Name: orders shadow_permissive; Type: POLICY; Schema: public; Owner: shop_owner
--

CREATE POLICY shadow_permissive ON public.orders USING (true) WITH CHECK (true);


--
-- Name: org_members shadow_permissive; Type: POLICY; Schema: public; Owner: shop_owner
--

CREATE POLICY shadow_permissive ON public.org_members USING (true) WITH CHECK (true);


--
-- Name: TABLE catalog_items; Type: ACL; Schema: public; Owner: shop_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.catalog_items TO shop_app;
GRANT SELECT ON TABLE public.catalog_items TO shop_reporting;


--
-- Name: TABLE invoices; Type: ACL; Schema: public; Owner: shop_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.invoices TO shop_app;
GRANT SELECT ON TABLE public.invoices TO shop_reporting;


--
-- Name: TABLE jobs; Type: ACL; Schema: public; Owner: shop_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.jobs TO shop_app;
GRANT SELECT ON TABLE public.jobs TO shop_reporting;


--
-- Name: TABLE orders; Type: ACL; Schema: public; Owner: shop_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.orders TO shop_app;
GRANT SELECT ON TABLE public.orders TO shop_reporting;


--
-- Name: TABLE org_members; Type: ACL; Schema: public; Owner: shop_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.org_members TO shop_app;
GRANT SELECT ON TABLE public.org_members TO shop_reporting;


--
-- PostgreSQL database dump complete
--

\unrestrict oFHNITRNAJEULR5bsF6pHbGwyiZu2oUSllDuTxA8iAcTv2VxtzW884ChqAcknjW

